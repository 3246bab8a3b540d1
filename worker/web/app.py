"""`create_app(context)`: the web process's composition root."""

from __future__ import annotations

from aiohttp import web

from worker.connect.i18n import language
from worker.context import AppContext
from worker.web import (
    backfill_routes,
    connect_routes,
    delivery_api,
    docs_page,
    endpoints_api,
    events_api,
    health,
    metrics_route,
    openapi,
    records_api,
    webhooks,
)
from worker.web.edge import secure_headers
from worker.web.intake import build_intake
from worker.web.keys import CONTEXT, INTAKE

MAX_BODY = 64 * 1024


def create_app(context: AppContext) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[language])
    app[CONTEXT] = context
    app[INTAKE] = build_intake(context.db, context.redis, context.settings)
    app.on_response_prepare.append(secure_headers(context.settings))
    health.setup(app)
    webhooks.setup(app)
    events_api.setup(app)
    records_api.setup(app)
    metrics_route.setup(app)
    connect_routes.setup(app)
    backfill_routes.setup(app)
    delivery_api.setup(app)
    endpoints_api.setup(app)
    openapi.setup(app)
    docs_page.setup(app)
    app.on_shutdown.append(_close_intake)
    return app


async def _close_intake(app: web.Application) -> None:
    await app[INTAKE].close()
