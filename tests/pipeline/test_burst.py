"""A burst worker (tests, `meli worker --burst`) ends once its queue is empty, whatever its crons: arq queues a
cron job up to a second before it is due, so crons due every second would keep a job queued at all times and
the worker would never end."""

from __future__ import annotations

import asyncio

from arq import create_pool
from arq.connections import RedisSettings

from worker.jobs.runtime import build_worker
from worker.settings import Settings


async def test_a_burst_worker_ends_within_a_sweep_period_of_its_last_job(settings: Settings) -> None:
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name)
    try:
        await redis.enqueue_job("heartbeat", _defer_by=3)  # the crons' windows open while the worker waits for it
        worker = build_worker(settings, burst=True, handle_signals=False)
        try:
            await asyncio.wait_for(worker.async_run(), timeout=15)  # one that never ends fails here
        finally:
            await worker.close()
    finally:
        await redis.delete(settings.queue_name)
        await redis.aclose()
