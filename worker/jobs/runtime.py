"""The worker process's composition root: `build_worker(settings)` returns a configured arq Worker whose
`on_startup` puts an `AppContext` into the job context."""

from __future__ import annotations

import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker

from worker.context import AppContext, build_context, close_context
from worker.logs import get_logger
from worker.settings import Settings

log = get_logger(__name__)
HEARTBEAT_KEY = "meli:worker:heartbeat"


def job_context(ctx: dict[str, Any]) -> AppContext:
    context = ctx["app"]
    assert isinstance(context, AppContext)
    return context


async def heartbeat(ctx: dict[str, Any]) -> float:
    """Record that a worker is alive and running cron jobs (shown by /healthz)."""
    now = time.time()
    await job_context(ctx).redis.set(HEARTBEAT_KEY, str(now), ex=600)
    return now


def _startup(settings: Settings) -> Any:
    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["app"] = build_context(settings)
        log.info("worker.started", queue=settings.queue_name)

    return on_startup


async def _shutdown(ctx: dict[str, Any]) -> None:
    if "app" in ctx:
        await close_context(ctx["app"])
    log.info("worker.stopped")


def build_worker(settings: Settings, *, burst: bool = False, handle_signals: bool = True) -> Worker:
    return Worker(
        functions=[heartbeat],
        cron_jobs=[cron(heartbeat, second={0, 30}, unique=True, run_at_startup=True)],
        queue_name=settings.queue_name,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=_startup(settings),
        on_shutdown=_shutdown,
        burst=burst,
        handle_signals=handle_signals,
    )
