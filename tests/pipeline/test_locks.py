"""A held lock's keeper never swallows a cancel of the work it keeps: a job asked to stop (Ctrl-C, shutdown)
stops, even when the cancel lands while the keeper itself is being stopped."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from tests.conftest import REDIS_URL
from worker.pipeline.locks import kept_alive


async def test_a_cancel_landing_while_the_keeper_stops_still_stops_the_work() -> None:
    redis = Redis.from_url(REDIS_URL)
    went_on = asyncio.Event()

    async def work() -> None:
        async with kept_alive(redis.lock("meli:test:kept-alive", timeout=30), 30):
            pass  # the block ends; leaving it stops the keeper, and the cancel lands while that is awaited
        went_on.set()

    try:
        task = asyncio.create_task(work())
        await asyncio.sleep(0)  # the task is now waiting for its keeper to stop
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not went_on.is_set()
    finally:
        await redis.aclose()
