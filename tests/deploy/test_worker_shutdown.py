"""SIGTERM drains: a real worker (the one `meli worker` builds) that receives SIGTERM during a slow job takes no
new job, lets the running one finish within MELI_WORKER_SHUTDOWN_SECONDS and then stops."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from typing import Any

from arq import func
from arq.worker import Worker

from worker.context import app_context
from worker.jobs.runtime import build_worker
from worker.settings import Settings

SLOW_JOB_SECONDS = 1.5


def _with_slow_job(worker: Worker, started: asyncio.Event, finished: list[str]) -> None:
    async def slow(ctx: dict[str, Any], name: str) -> str:
        started.set()
        await asyncio.sleep(SLOW_JOB_SECONDS)
        finished.append(name)
        return name

    for name in ("slow", "later"):
        worker.functions[name] = func(slow, name=name)


async def _sigterm_during_slow_job(settings: Settings) -> tuple[Worker, list[str], float]:
    """Queue the slow job, start the worker, send SIGTERM once the job runs and queue another (never started)."""
    started, finished = asyncio.Event(), list[str]()
    async with app_context(settings) as context:
        await context.redis.delete(settings.queue_name)
        worker = build_worker(settings, handle_signals=True)
        _with_slow_job(worker, started, finished)
        await context.redis.enqueue_job("slow", "first")
        running = asyncio.create_task(worker.async_run())
        try:
            await asyncio.wait_for(started.wait(), 10)
            await context.redis.enqueue_job("later", "second")
            signalled = time.monotonic()
            os.kill(os.getpid(), signal.SIGTERM)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(running, settings.worker_shutdown_seconds + 5)
            stopped_after = time.monotonic() - signalled
        finally:
            await worker.close()
            await context.redis.delete(settings.queue_name)
    return worker, finished, stopped_after


async def test_sigterm_lets_the_running_job_finish_then_stops(settings: Settings) -> None:
    settings = settings.model_copy(update={"worker_shutdown_seconds": 10})

    worker, finished, stopped_after = await _sigterm_during_slow_job(settings)

    assert finished == ["first"]
    assert (worker.jobs_complete, worker.jobs_retried, worker.jobs_failed) == (1, 0, 0)
    assert stopped_after < SLOW_JOB_SECONDS + 1.0  # it stops when the job is done, not after the whole wait


async def test_sigterm_cancels_what_outlasts_the_wait(settings: Settings) -> None:
    settings = settings.model_copy(update={"worker_shutdown_seconds": 0})

    worker, finished, stopped_after = await _sigterm_during_slow_job(settings)

    assert finished == []
    assert (worker.jobs_complete, worker.jobs_retried) == (0, 1)  # arq queues it again for the next worker
    assert stopped_after < 1.0
