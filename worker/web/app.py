"""`create_app(context)`: the web process's composition root."""

from __future__ import annotations

from aiohttp import web

from worker.context import AppContext
from worker.web import health
from worker.web.keys import CONTEXT

MAX_BODY = 64 * 1024


def create_app(context: AppContext) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[CONTEXT] = context
    health.setup(app)
    return app
