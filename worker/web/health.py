"""GET /healthz: the version and a live check of the database and Redis."""

from __future__ import annotations

import asyncio

from aiohttp import web
from redis.exceptions import RedisError

from connectors.errors import Unavailable
from worker import __version__
from worker.web.keys import CONTEXT

CHECK_TIMEOUT = 2.0


async def _check_database(request: web.Request) -> str:
    try:
        await asyncio.wait_for(request.app[CONTEXT].db.ping(), CHECK_TIMEOUT)
    except (Unavailable, TimeoutError) as exc:
        return f"error: {exc}" if str(exc) else "error: timed out"
    return "ok"


async def _check_redis(request: web.Request) -> str:
    try:
        await asyncio.wait_for(request.app[CONTEXT].redis.ping(), CHECK_TIMEOUT)
    except (RedisError, OSError, TimeoutError) as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


async def healthz(request: web.Request) -> web.Response:
    database, redis = await asyncio.gather(_check_database(request), _check_redis(request))
    healthy = database == "ok" and redis == "ok"
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "environment": request.app[CONTEXT].settings.environment,
        "checks": {"database": database, "redis": redis},
    }
    return web.json_response(body, status=200 if healthy else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
