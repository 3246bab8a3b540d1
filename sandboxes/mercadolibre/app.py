"""Composition root of the sandbox: `create_sandbox_app(config)` wires world, engine, OAuth, faults,
request log, notifier and the wall-clock driver into one aiohttp application.

Route families (all on one host/port):
- ML REST API at the root (`/users/me`, `/orders/{id}`, ...), Bearer auth, ML-style errors;
- OAuth: `/{auth_host}/authorization` (HTML) and `POST /oauth/token`;
- control API and oracle under `/_sandbox/` (no auth, no faults, never part of ML).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from sandboxes.mercadolibre.api import add_api_routes
from sandboxes.mercadolibre.config import SandboxConfig
from sandboxes.mercadolibre.control import add_control_routes
from sandboxes.mercadolibre.middleware import sandbox_middleware
from sandboxes.mercadolibre.oauth_page import add_oauth_routes
from sandboxes.mercadolibre.state import SANDBOX, Sandbox


def create_sandbox_app(config: SandboxConfig, *, clock: Callable[[], float] | None = None) -> web.Application:
    """The sandbox as an aiohttp app. `clock` (epoch seconds) drives token expiry and rate budgets."""
    app = web.Application(middlewares=[sandbox_middleware])
    sandbox = Sandbox(config, clock)
    app[SANDBOX] = sandbox
    add_control_routes(app.router)
    add_oauth_routes(app.router)
    add_api_routes(app.router)

    async def on_startup(_: web.Application) -> None:
        await sandbox.start()

    async def on_cleanup(_: web.Application) -> None:
        await sandbox.stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
