"""The worker process's composition root: `build_worker(settings)` returns a configured arq Worker whose
`on_startup` builds the job dependencies (context, HTTP session, token provider, ML client)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Worker
from redis.exceptions import RedisError

from worker import redis_keys
from worker.jobs.backfill import bulk_crons, bulk_functions
from worker.jobs.catchup import catch_up_seller
from worker.jobs.delivery import DELIVER_LANE, LANE_LEASE_SECONDS, deliver_hellotext, sweep_deliveries
from worker.jobs.deps import build_deps, close_deps, job_deps
from worker.jobs.drain import drain_seller
from worker.jobs.probes import serve_probes
from worker.jobs.refetch import refetch_order, sweep_refetches
from worker.jobs.sweeper import prune_inbox_rows, sweep_inbox
from worker.jobs.webhooks import DELIVER_WEBHOOKS, WEBHOOK_LEASE_SECONDS, deliver_webhooks, sweep_webhooks
from worker.logs import get_logger
from worker.metrics import Metrics
from worker.pipeline.queue import CATCH_UP, DRAIN_SELLER, REFETCH_ORDER, deserialize, serialize
from worker.settings import Settings
from worker.tokens import refresh_expiring

log = get_logger(__name__)
DRAIN_TIMEOUT = 120  # a drain yields after `Rules.drain_seconds`; one batch in flight then finishes


async def heartbeat(ctx: dict[str, Any]) -> float:
    """Record that a worker is alive and running cron jobs."""
    now = time.time()
    deps = job_deps(ctx)
    await deps.app.redis.set(redis_keys.heartbeat(deps.config.queue_name), str(now), ex=600)
    return now


def _startup(settings: Settings, metrics: Metrics | None) -> Any:
    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["deps"] = build_deps(settings, metrics)
        if settings.worker_metrics_port:
            ctx["metrics_server"] = await serve_probes(
                ctx["deps"].app, settings.worker_metrics_host, settings.worker_metrics_port
            )
        log.info("worker.started", queue=settings.queue_name)

    return on_startup


async def refresh_tokens(ctx: dict[str, Any]) -> int:
    """Refresh tokens that expire soon even when no notification makes us call ML."""
    deps = job_deps(ctx)
    return await refresh_expiring(deps.tokens, deps.config.token_refresh_margin_seconds + 300)


async def sweep_outboxes(ctx: dict[str, Any]) -> int:
    """Every 2 s, one cron for both outboxes: the Hellotext lane jobs and the outbound webhook jobs with work due.
    A cron every second would keep a future cron job in the queue at all times, and a burst worker never sees
    its queue empty."""
    return await sweep_deliveries(ctx) + await sweep_webhooks(ctx)


async def _shutdown(ctx: dict[str, Any]) -> None:
    """Idempotent: also called after arq's own shutdown failed half-way (Redis gone)."""
    if (server := ctx.pop("metrics_server", None)) is not None:
        await server.cleanup()
    if (deps := ctx.pop("deps", None)) is not None:
        await close_deps(deps)
        log.info("worker.stopped")


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Run arq until stopped. On SIGINT/SIGTERM it takes no new job, lets the running ones finish for
    MELI_WORKER_SHUTDOWN_SECONDS, cancels the rest (arq retries them later) and closes. arq's loop ends when Redis
    goes away; a long-running worker then starts again after a pause (1 s, doubling to 30 s) rather than exiting,
    so a Redis restart needs no supervisor. `burst` runs end on the error."""
    pause = 1.0
    while True:
        worker = build_worker(settings, burst=burst)
        began = time.monotonic()
        try:
            worker.run()
            return
        except (RedisError, OSError) as exc:
            worker.loop.run_until_complete(_shutdown(worker.ctx))
            if burst:
                raise
            pause = 1.0 if time.monotonic() - began > 60 else min(30.0, pause * 2)
            log.warning("worker.redis_lost", error=type(exc).__name__, restart_in_seconds=pause)
            time.sleep(pause)


def scoped_cron(queue_name: str, coroutine: Any, **fields: Any) -> CronJob:
    """arq's `cron`, the job named after this deployment's queue (worker/redis_keys.py `cron_job`)."""
    return cron(coroutine, name=redis_keys.cron_job(queue_name, coroutine.__name__), **fields)


def build_worker(
    settings: Settings, *, burst: bool = False, handle_signals: bool = True, metrics: Metrics | None = None
) -> Worker:
    """`metrics`: count into these (the web app's, when both run in one process) instead of the worker's own."""
    named = partial(scoped_cron, settings.queue_name)
    return Worker(
        job_serializer=serialize,
        job_deserializer=deserialize,
        functions=[
            func(drain_seller, name=DRAIN_SELLER, max_tries=20, keep_result=0, timeout=DRAIN_TIMEOUT),
            func(refetch_order, name=REFETCH_ORDER, max_tries=3, keep_result=0),
            func(catch_up_seller, name=CATCH_UP, max_tries=6, keep_result=0, timeout=300),
            *bulk_functions(),
            func(deliver_hellotext, name=DELIVER_LANE, max_tries=3, keep_result=0, timeout=LANE_LEASE_SECONDS),
            func(deliver_webhooks, name=DELIVER_WEBHOOKS, max_tries=3, keep_result=0, timeout=WEBHOOK_LEASE_SECONDS),
        ],
        cron_jobs=[
            named(heartbeat, second={0, 30}, unique=True, run_at_startup=True),
            named(sweep_inbox, second={15, 45}, unique=True, run_at_startup=True),
            named(sweep_refetches, second={7, 22, 37, 52}, unique=True),
            named(prune_inbox_rows, minute=17, second=30, unique=True, timeout=600),
            named(refresh_tokens, minute=set(range(0, 60, 5)), second=5, run_at_startup=True),
            *bulk_crons(named, settings.reconcile_every_minutes, settings.missed_feeds_every_minutes),
            named(sweep_outboxes, second=set(range(0, 60, 2)), unique=True),
        ],
        queue_name=settings.queue_name,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=_startup(settings, metrics),
        on_shutdown=_shutdown,
        burst=burst,
        handle_signals=handle_signals,
        job_completion_wait=settings.worker_shutdown_seconds,  # SIGTERM: no new jobs, running ones get this long
        max_jobs=settings.worker_concurrency,
        poll_delay=0.1,  # how soon a new job is seen when the queue was empty
        keep_result=60,
    )
