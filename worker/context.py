"""The composition root: builds the parts a process needs from `Settings`, and closes them, and turns the
settings into the plain values the parts of both processes receive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from arq.connections import ArqRedis
from pydantic import SecretStr
from redis.asyncio import ConnectionPool

from worker.backfill.service import BackfillPlan
from worker.connect.links import LinkOptions
from worker.connect.ml_oauth import MlOAuthApp
from worker.delivery.connect import HellotextApi
from worker.metrics import Metrics
from worker.pipeline.queue import deserialize, serialize
from worker.settings import Settings
from worker.store.crypto import TokenCipher
from worker.store.db import Database, open_database


@dataclass
class AppContext:
    settings: Settings
    db: Database
    redis: ArqRedis  # a redis.asyncio.Redis that can also enqueue arq jobs
    cipher: TokenCipher
    metrics: Metrics


def build_context(settings: Settings, metrics: Metrics | None = None) -> AppContext:
    """Create (not connect) every shared part; connections open lazily on first use. `metrics`: the process's
    metrics when another part of it already made them (the demo runs web and worker in one process)."""
    db = open_database(settings.database_url, pool_size=settings.database_pool_size)
    metrics = metrics or Metrics()
    db.on_statement(metrics.db_statements.inc)
    return AppContext(
        settings=settings,
        db=db,
        redis=ArqRedis(
            ConnectionPool.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=5),
            default_queue_name=settings.queue_name,
            job_serializer=serialize,
            job_deserializer=deserialize,
        ),
        cipher=TokenCipher([key.get_secret_value() for key in settings.token_encryption_keys]),
        metrics=metrics,
    )


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def ml_oauth_app(settings: Settings) -> MlOAuthApp:
    return MlOAuthApp(
        client_id=settings.ml_client_id,
        client_secret=settings.ml_client_secret,
        redirect_uri=settings.ml_redirect_uri,
        api_base_url=settings.ml_api_base_url,
        auth_base_url=settings.ml_auth_base_url,
    )


def link_options(settings: Settings) -> LinkOptions:
    return LinkOptions(settings.public_base_url, settings.connect_link_ttl_hours, settings.owner_link_ttl_minutes)


def backfill_plan(settings: Settings) -> BackfillPlan:
    return BackfillPlan(
        on_connect=settings.backfill_on_connect,
        recent_days=settings.backfill_recent_days,
        depth_days=settings.backfill_depth_days,
        search_cancelled=settings.backfill_search_cancelled,
    )


def hellotext_api(settings: Settings) -> HellotextApi:
    return HellotextApi(settings.hellotext_api_base_url, settings.hellotext_timeout_seconds)


async def close_context(context: AppContext) -> None:
    await context.redis.aclose()
    await context.db.close()


@asynccontextmanager
async def app_context(settings: Settings) -> AsyncIterator[AppContext]:
    context = build_context(settings)
    try:
        yield context
    finally:
        await close_context(context)
