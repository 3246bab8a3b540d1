"""The bulk lane stays behind live work: bulk calls take a rate-limit slot only when the bucket is idle (live
calls overtake them), and at most `bulk_max_jobs` bulk jobs hold a slot at once."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis

from connectors.mercadolibre.client import ClientLimits, MlClient, Seller
from connectors.ratelimit import RateLimiter
from tests.conftest import REDIS_URL
from worker.backfill.lane import BULK_BURST, Bulk, bulk_slot
from worker.jobs.deps import build_deps, bulk_config, close_deps
from worker.settings import Settings


async def test_a_live_call_overtakes_a_saturating_import_on_the_shared_budget() -> None:
    """Decided by the bucket's state, not by timing: once the import has taken every slot its small burst
    tolerance allows, live calls (tolerance 10) are still granted at once and the import has to wait."""
    redis = Redis.from_url(REDIS_URL)
    prefix, key = f"meli:test:rl:{uuid.uuid4().hex[:8]}", "seller:1"
    limiter = RateLimiter(redis, prefix)
    bulk, live = [(key, 20.0, BULK_BURST)], [(key, 20.0, 10)]
    try:
        bulk_calls = 0
        while await limiter.delay_for_each(bulk) == 0.0:  # the import saturates the budget
            bulk_calls += 1
        live_waits = [await limiter.delay_for_each(live) for _ in range(5)]
        bulk_wait = await limiter.delay_for_each(bulk)
    finally:
        await redis.delete(f"{prefix}:{key}")
        await redis.aclose()

    assert bulk_calls >= BULK_BURST
    assert live_waits == [0.0] * 5  # granted now, in the budget the import had filled
    assert bulk_wait > 0  # the import waits behind them


async def test_bulk_jobs_hold_at_most_bulk_max_jobs_slots(settings: Settings) -> None:
    settings = settings.model_copy(update={"bulk_max_jobs": 2})
    deps = build_deps(settings)
    bulk = Bulk(deps.app.db, deps.app.redis, bulk_config(settings), deps.options, deps.http, deps.tokens)
    try:
        async with bulk_slot(bulk) as first, bulk_slot(bulk) as second, bulk_slot(bulk) as third:
            assert (first is not None, second is not None, third) == (True, True, None)
        async with bulk_slot(bulk) as again:
            assert again is not None
    finally:
        await close_deps(deps)


async def test_an_import_at_its_own_pace_leaves_the_seller_budget_to_live_calls() -> None:
    """Bulk calls keep to their lane's rate in a bucket of their own and spend the shared buckets at the live
    rate, only when idle: live calls at 90/s of a 100/s seller budget get all of it while an import runs."""
    redis = Redis.from_url(REDIS_URL)
    limiter = RateLimiter(redis, prefix=f"meli:test:rl:{uuid.uuid4().hex[:8]}")
    seller = Seller(account_id=1, seller_id=7)
    live = MlClient(None, "http://unused", None, limiter, ClientLimits(app_rate=1000, seller_rate=100))  # type: ignore[arg-type]
    bulk_limits = ClientLimits(app_rate=1000, seller_rate=100, burst=BULK_BURST, lane="bulk", lane_seller_rate=5)
    bulk = MlClient(None, "http://unused", None, limiter, bulk_limits)  # type: ignore[arg-type]
    stop = asyncio.Event()
    counts = {"bulk": 0, "live": 0}

    async def call(client: MlClient, lane: str, pause: float) -> None:
        while not stop.is_set():
            await client._budget(seller)
            counts[lane] += 1
            await asyncio.sleep(pause)

    tasks = [asyncio.create_task(call(bulk, "bulk", 0)) for _ in range(8)]
    await asyncio.sleep(0.3)  # the import runs at its pace
    tasks += [asyncio.create_task(call(live, "live", 1 / 30)) for _ in range(3)]
    counts.update(bulk=0, live=0)
    await asyncio.sleep(2.0)
    stop.set()
    await asyncio.gather(*tasks)
    await redis.aclose()

    assert counts["live"] >= 150  # ~90/s for 2 s, minus timer slack: live calls were not held back
    assert counts["bulk"] <= 18  # at most the lane's 5/s (calls in flight at the end included)


async def test_deployments_share_the_budgets_of_their_ml_application_only(settings: Settings) -> None:
    """ML counts requests per application: two deployments (queues) of one application spend one budget, a
    deployment of another application sharing the Redis has its own."""
    app_id = str(uuid.uuid4().int)[:16]
    one = settings.model_copy(update={"ml_client_id": app_id, "queue_name": f"{settings.queue_name}:a"})
    same_app = settings.model_copy(update={"ml_client_id": app_id, "queue_name": f"{settings.queue_name}:b"})
    other_app = settings.model_copy(update={"ml_client_id": app_id[::-1], "queue_name": f"{settings.queue_name}:c"})
    redis = Redis.from_url(REDIS_URL)
    try:
        first = await RateLimiter(redis, one.rate_limit_prefix).delay_for_each([("app", 1, 1)])
        other = await RateLimiter(redis, other_app.rate_limit_prefix).delay_for_each([("app", 1, 1)])
        second = await RateLimiter(redis, same_app.rate_limit_prefix).delay_for_each([("app", 1, 1)])
        await redis.delete(f"{one.rate_limit_prefix}:app", f"{other_app.rate_limit_prefix}:app")
    finally:
        await redis.aclose()

    assert (first, other) == (0.0, 0.0)
    assert 0.9 <= second <= 1.0
