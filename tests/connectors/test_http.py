"""The error table, the retry loop and the shared rate limiter (real Redis)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from connectors.errors import AuthError, PermanentError, RateLimited, RemoteNotFound, TransientError
from connectors.http import RetryPolicy, classify, with_retries
from connectors.ratelimit import RateLimiter
from tests.conftest import REDIS_URL


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, None),
        (206, TransientError),
        (304, None),
        (400, PermanentError),
        (401, AuthError),
        (403, PermanentError),
        (404, RemoteNotFound),
        (408, TransientError),
        (429, RateLimited),
        (500, TransientError),
        (503, TransientError),
    ],
)
def test_one_table_classifies_every_status(status: int, kind: type[Exception] | None) -> None:
    error = classify(status, "GET /orders/1")

    assert type(error) is kind if kind is not None else error is None


def test_retry_after_is_read_from_the_header() -> None:
    error = classify(429, "GET /orders/1", "7")

    assert isinstance(error, RateLimited) and error.retry_after == 7.0
    assert RetryPolicy().delay(3, error) == 7.0


async def test_transient_errors_are_retried_then_raised() -> None:
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("GET /x: server error (503)", 503)
        return "ok"

    async def broken() -> str:
        calls.append(1)
        raise TransientError("GET /x: server error (500)", 500)

    assert await with_retries(flaky, RetryPolicy(attempts=5, base_delay=0.001)) == "ok"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(TransientError):
        await with_retries(broken, RetryPolicy(attempts=4, base_delay=0.001))
    assert len(calls) == 4


async def test_permanent_errors_are_not_retried() -> None:
    calls: list[int] = []

    async def refused() -> str:
        calls.append(1)
        raise PermanentError("GET /x: refused (400)", 400)

    with pytest.raises(PermanentError):
        await with_retries(refused, RetryPolicy(attempts=5, base_delay=0.001))
    assert len(calls) == 1


async def test_rate_limiter_allows_the_burst_then_spaces_requests() -> None:
    redis = Redis.from_url(REDIS_URL)
    limiter = RateLimiter(redis, prefix=f"meli:test:rl:{uuid.uuid4().hex}")
    try:
        waits = [await limiter.delay_for_each([("seller:1", 10, 3)]) for _ in range(4)]
        other_seller = await limiter.delay_for_each([("seller:2", 10, 3)])
    finally:
        await redis.aclose()

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.09 <= waits[3] <= 0.1
    assert other_seller == 0.0


async def test_acquire_all_takes_every_budget_together_or_none() -> None:
    """A request waiting for its seller's budget spends nothing of the application's meanwhile."""
    redis = Redis.from_url(REDIS_URL)
    prefix = f"meli:test:rl:{uuid.uuid4().hex}"
    limiter = RateLimiter(redis, prefix=prefix)
    try:
        await limiter.acquire("seller:1", rate=5)  # the seller's next slot is 0.2 s away
        app_before = await redis.get(f"{prefix}:app")
        waiting = asyncio.create_task(limiter.acquire_all([("app", 1000), ("seller:1", 5)]))
        await asyncio.sleep(0.1)
        app_while_waiting = await redis.get(f"{prefix}:app")
        await asyncio.wait_for(waiting, 1)
        app_after = await redis.get(f"{prefix}:app")
    finally:
        await redis.aclose()

    assert (app_before, app_while_waiting) == (None, None)
    assert app_after is not None


async def test_take_grants_as_many_as_every_budget_allows_and_counts_them_in_all() -> None:
    redis = Redis.from_url(REDIS_URL)
    limiter = RateLimiter(redis, prefix=f"meli:test:rl:{uuid.uuid4().hex}")
    budgets = [("app", 10.0, 10), ("seller:1", 10.0, 4)]  # the seller's burst of 4 is the smaller
    try:
        first = await limiter.take(budgets, 10)
        second = await limiter.take(budgets, 10)
        app_left = await limiter.take([("app", 10.0, 10)], 10)
    finally:
        await redis.aclose()

    assert first == (4, 0.0)  # what the seller's budget allows, counted in the application's too
    assert second[0] == 0 and 0.09 <= second[1] <= 0.1  # nothing counted: one more fits in 0.1 s
    assert app_left[0] == 6  # 10 - 4: the refused take spent nothing
