"""What jobs receive: the process's AppContext plus the ML client built on one shared aiohttp session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from connectors.mercadolibre.client import ClientLimits, MlClient
from connectors.mercadolibre.mapping import MappingOptions
from connectors.ratelimit import RateLimiter
from worker.context import AppContext, build_context, close_context
from worker.delivery.addresses import GuardedResolver
from worker.metrics import Metrics
from worker.pipeline.parts import Pipeline, Rules
from worker.settings import Settings
from worker.tokens import TokenProvider


@dataclass
class JobDeps:
    app: AppContext
    http: aiohttp.ClientSession
    tokens: TokenProvider
    client: MlClient
    options: MappingOptions
    pipeline: Pipeline
    webhook_http: aiohttp.ClientSession  # outbound webhooks: resolves only to public addresses unless allowed


def build_deps(settings: Settings, metrics: Metrics | None = None) -> JobDeps:
    app = build_context(settings, metrics)
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.ml_timeout_seconds))
    tokens = TokenProvider(app.db, app.cipher, app.redis, http, settings)
    limits = ClientLimits(app_rate=settings.ml_app_rate, seller_rate=settings.ml_seller_rate)
    client = MlClient(
        http,
        settings.ml_api_base_url,
        tokens,
        RateLimiter(app.redis, settings.rate_limit_prefix),
        limits,
        observe=app.metrics.ml_request,
        payments_base_url=settings.mp_api_base_url,
    )
    options = MappingOptions(
        include_delivered=settings.track_delivered, include_product_purchased=settings.track_products
    )
    pipeline = Pipeline(app.db, app.redis, client, options, app.metrics, Rules.from_settings(settings))
    resolver = None if settings.outbound_webhooks_allow_local else GuardedResolver()
    webhook_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver))
    return JobDeps(app=app, http=http, tokens=tokens, client=client, options=options, pipeline=pipeline,
                   webhook_http=webhook_http)  # fmt: skip


async def close_deps(deps: JobDeps) -> None:
    await deps.http.close()
    await deps.webhook_http.close()
    await close_context(deps.app)


def job_deps(ctx: dict[str, Any]) -> JobDeps:
    deps = ctx["deps"]
    assert isinstance(deps, JobDeps)
    return deps
