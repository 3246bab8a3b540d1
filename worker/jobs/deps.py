"""What jobs receive, built once when a worker starts (worker/jobs/runtime.py): the process's AppContext, the ML
client on one shared aiohttp session, the pipeline, the bulk lane and the few values the jobs read of the
settings. This module and runtime.py are the worker's composition root; the parts below receive plain values."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import aiohttp

from connectors.mercadolibre.client import ClientLimits, MlClient
from connectors.mercadolibre.mapping import MappingOptions
from connectors.ratelimit import RateLimiter
from worker.backfill.lane import Bulk, BulkConfig
from worker.context import AppContext, build_context, close_context, ml_oauth_app
from worker.delivery.addresses import GuardedResolver
from worker.delivery.lane import LaneOptions
from worker.delivery.webhook_lane import WebhookOptions
from worker.metrics import Metrics
from worker.pipeline.parts import Pipeline, Rules
from worker.settings import Settings
from worker.tokens import TokenProvider


@dataclass(frozen=True)
class JobConfig:
    """The settings the jobs themselves read."""

    queue_name: str
    inbox_retention_days: int
    token_refresh_margin_seconds: int
    hellotext_max_lanes: int


@dataclass
class JobDeps:
    app: AppContext
    http: aiohttp.ClientSession
    tokens: TokenProvider
    client: MlClient
    options: MappingOptions
    pipeline: Pipeline
    bulk: Bulk
    config: JobConfig
    lanes: LaneOptions
    webhook_http: aiohttp.ClientSession  # outbound webhooks: resolves only to public addresses unless allowed
    webhooks: WebhookOptions


def pipeline_rules(settings: Settings) -> Rules:
    return Rules(
        queue_name=settings.queue_name,
        attempt_budget=settings.inbox_attempt_budget,
        max_tries=settings.inbox_max_tries,
        suspect_burst=settings.suspect_not_found_burst,
        catchup_interval=settings.catchup_interval_seconds,
        release_per_catchup=settings.webhook_seller_burst,
        waiting_after=settings.inbox_requeue_seconds,
        refetch_first_pause=settings.refetch_first_pause_seconds,
        refetch_max_attempts=settings.refetch_max_attempts,
    )


def bulk_config(settings: Settings) -> BulkConfig:
    return BulkConfig(**{field.name: getattr(settings, field.name) for field in fields(BulkConfig)})


def job_config(settings: Settings) -> JobConfig:
    return JobConfig(**{field.name: getattr(settings, field.name) for field in fields(JobConfig)})


def lane_options(settings: Settings) -> LaneOptions:
    return LaneOptions(
        settings.hellotext_api_base_url, settings.hellotext_timeout_seconds, settings.hellotext_lane_batch,
        width=settings.hellotext_lane_width, budget=settings.hellotext_lane_budget_seconds,
        linger=settings.hellotext_lane_linger_seconds,
    )  # fmt: skip


def token_provider(app: AppContext, http: aiohttp.ClientSession, settings: Settings) -> TokenProvider:
    return TokenProvider(
        app.db, app.cipher, app.redis, ml_oauth_app(settings).client(http),
        queue_name=settings.queue_name, refresh_margin_seconds=settings.token_refresh_margin_seconds,
    )  # fmt: skip


def build_deps(settings: Settings, metrics: Metrics | None = None) -> JobDeps:
    app = build_context(settings, metrics)
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.ml_timeout_seconds))
    tokens = token_provider(app, http, settings)
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
    pipeline = Pipeline(app.db, app.redis, client, options, app.metrics, pipeline_rules(settings))
    bulk = Bulk(app.db, app.redis, bulk_config(settings), options, http, tokens, app.metrics)
    resolver = None if settings.outbound_webhooks_allow_local else GuardedResolver()
    webhook_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver))
    return JobDeps(
        app=app, http=http, tokens=tokens, client=client, options=options, pipeline=pipeline, bulk=bulk,
        config=job_config(settings), lanes=lane_options(settings), webhook_http=webhook_http,
        webhooks=WebhookOptions(settings.outbound_webhook_timeout_seconds, settings.outbound_webhooks_allow_local),
    )  # fmt: skip


async def close_deps(deps: JobDeps) -> None:
    await deps.http.close()
    await deps.webhook_http.close()
    await close_context(deps.app)


def job_deps(ctx: dict[str, Any]) -> JobDeps:
    deps = ctx["deps"]
    assert isinstance(deps, JobDeps)
    return deps
