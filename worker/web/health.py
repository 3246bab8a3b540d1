"""Health: `GET /healthz` says only ok (200) or failing (503), for load balancers on the public port;
`GET /healthz/details` (internal: the internal port, or the internal token) adds the version, the environment
and which check failed."""

from __future__ import annotations

import asyncio

from aiohttp import web
from redis.exceptions import RedisError

from worker import __version__
from worker.errors import Unavailable
from worker.web.edge import internal_only
from worker.web.keys import CONTEXT, OPTIONS

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


async def _checks(request: web.Request) -> dict[str, str]:
    database, redis = await asyncio.gather(_check_database(request), _check_redis(request))
    return {"database": database, "redis": redis}


async def healthz(request: web.Request) -> web.Response:
    healthy = all(result == "ok" for result in (await _checks(request)).values())
    return web.json_response({"status": "ok" if healthy else "failing"}, status=200 if healthy else 503)


async def details(request: web.Request) -> web.Response:
    checks = await _checks(request)
    healthy = all(result == "ok" for result in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "environment": request.app[OPTIONS].environment,
        "checks": checks,
    }
    return web.json_response(body, status=200 if healthy else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/healthz/details", internal_only(app[OPTIONS].internal, details))
