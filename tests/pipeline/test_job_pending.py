"""`job_pending`: whether arq holds a job of that id that has not run to its end (real Redis)."""

from __future__ import annotations

from worker.context import app_context
from worker.pipeline.queue import job_pending
from worker.settings import Settings


async def test_a_queued_or_deferred_job_is_pending_and_an_unknown_one_is_not(settings: Settings) -> None:
    async with app_context(settings) as context:
        try:
            await context.redis.enqueue_job("anything", _job_id=f"{settings.queue_name}:now")
            await context.redis.enqueue_job("anything", _job_id=f"{settings.queue_name}:later", _defer_by=60)

            assert await job_pending(context.redis, f"{settings.queue_name}:now") is True
            assert await job_pending(context.redis, f"{settings.queue_name}:later") is True
            assert await job_pending(context.redis, f"{settings.queue_name}:unknown") is False
        finally:
            keys = [key async for key in context.redis.scan_iter(match=f"*{settings.queue_name}*")]
            await context.redis.delete(*keys)
