"""`create_app(context)`: the web process's composition root. It reads the settings once, into `WebOptions`;
the parts below receive those values, not `Settings`."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from worker.context import AppContext, backfill_plan, hellotext_api, link_options, ml_oauth_app, secret
from worker.settings import Settings
from worker.web import (
    backfill_routes,
    connect_routes,
    delivery_api,
    docs_page,
    docs_viewer,
    endpoints_api,
    events_api,
    health,
    metrics_route,
    openapi,
    records_api,
    webhooks,
)
from worker.web.edge import InternalAccess, secure_headers
from worker.web.intake import IntakeOptions, build_intake
from worker.web.keys import CONTEXT, DATABASE, INTAKE, OPTIONS
from worker.web.limits import LimitRates
from worker.web.options import WebOptions

MAX_BODY = 64 * 1024


def web_options(settings: Settings) -> WebOptions:
    return WebOptions(
        environment=settings.environment,
        queue_name=settings.queue_name,
        ml_client_id=settings.ml_client_id,
        trusted_proxies=settings.trusted_proxies,
        allowed_networks=settings.allowed_networks,
        webhook_path_secret=secret(settings.webhook_path_secret),
        public_base_url=settings.public_base_url,
        public_origin=settings.public_origin,
        callback_path=urlsplit(settings.ml_redirect_uri).path or "/oauth/callback",
        redirect_uri=settings.ml_redirect_uri,
        https_only=settings.https_only,
        secret_key=settings.secret_key.get_secret_value(),
        internal=InternalAccess(settings.internal_port, secret(settings.internal_token)),
        limits=LimitRates(
            settings.api_auth_failures_per_minute, settings.connect_starts_per_address, settings.connect_starts_per_link
        ),
        intake=IntakeOptions(
            settings.catchup_interval_seconds,
            settings.inbox_max_pending_per_seller,
            settings.webhook_seller_rate,
            settings.webhook_seller_burst,
        ),
        links=link_options(settings),
        oauth=ml_oauth_app(settings),
        backfill=backfill_plan(settings),
        hellotext=hellotext_api(settings),
        outbound_webhooks_allow_local=settings.outbound_webhooks_allow_local,
    )


def create_app(context: AppContext) -> web.Application:
    options = web_options(context.settings)
    app = web.Application(client_max_size=MAX_BODY)  # no middleware: pages wrap their handlers (`localized`)
    app[CONTEXT] = context
    app[DATABASE] = context.db
    app[OPTIONS] = options
    app[INTAKE] = build_intake(context.db, context.redis, options.intake)
    app.on_response_prepare.append(secure_headers(options.https_only))
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
    docs_viewer.setup(app)
    app.on_shutdown.append(_close_intake)
    return app


async def _close_intake(app: web.Application) -> None:
    await app[INTAKE].close()
