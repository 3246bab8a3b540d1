"""Forged notifications cannot spend a seller's ML budget or delay its genuine notifications.

An outsider knows our application id and a seller's id. The flood: 1,000 notifications for random order ids of
one connected seller, as fast as the webhook takes them, then the seller's genuine notification for a real
order. With a worker running against the sandbox (which answers 404 for an unknown order), the flood costs a
bounded number of ML calls (the intake budget lets a burst through, their 404s put the seller under suspicion,
the rest are verified with one orders search) and the genuine notification becomes its event within 2 s.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from sandboxes.mercadolibre import SandboxConfig
from tests.pipeline.harness import World, offline_world
from worker.jobs.runtime import build_worker
from worker.settings import Settings
from worker.store.events import read_events
from worker.store.models import InboxRow

FORGED = 1000
MAX_CALLS = 50
MAX_DELAY_S = 2.0


def near_now() -> str:
    """A sandbox whose simulated time is the wall clock's: its orders are updated 'now', as ML's are."""
    return (datetime.now(UTC) - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[None]:
    worker = build_worker(settings, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()


async def paid_order(world: World, seller_id: int) -> str:
    created = await world.control("POST", "/_sandbox/orders", {"seller_id": seller_id})
    order_id = str(created["order_ids"][0])
    await world.control("POST", f"/_sandbox/orders/{order_id}/transitions", {"kind": "pay"})
    return order_id


async def post(world: World, seller_id: int, order_id: str) -> str:
    note = {"topic": "orders_v2", "resource": f"/orders/{order_id}", "user_id": seller_id,
            "application_id": int(world.settings.ml_client_id)}  # fmt: skip
    async with world.http.post(f"{world.web_url}/webhooks/mercadolibre", json=note) as response:
        assert response.status == 200, await response.text()
        return str((await response.json())["status"])


async def confirmed(world: World, business_id: int, order_id: str, within: float) -> float:
    """Seconds until the order's `order.confirmed` is stored."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        views = await read_events(world.context.db, business_id=business_id, limit=1000)
        if any(v.action == "order.confirmed" and v.to_json()["order_reference"] == order_id for v in views):
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"order {order_id} was not confirmed within {within} s")


async def settled(world: World, within: float = 20.0) -> dict[str, int]:
    """Inbox rows by status once nothing is pending or throttled any more."""
    deadline = time.monotonic() + within
    while True:
        async with world.context.db.transaction() as session:
            statement = select(col(InboxRow.status), func.count()).group_by(col(InboxRow.status))
            counts = {status: int(n) for status, n in (await session.exec(statement)).all()}
        if not {"pending", "throttled"} & counts.keys() or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


def calls_by_kind(log: list[dict[str, Any]], forged: set[str], genuine: str) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for entry in log:
        path = entry["path"]
        if path.startswith("/_sandbox"):
            continue
        last = path.rsplit("/", 1)[-1]
        kinds["forged order" if last in forged else "genuine order" if last == genuine else path.split("/")[1]] += 1
    return kinds


async def test_a_flood_of_forged_orders_costs_few_ml_calls_and_no_delay(settings: Settings) -> None:
    config = SandboxConfig(seed=31, sellers=1, orders=0, start=near_now(), notify_time_scale=0.001)
    async with offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        business_id, _ = await world.connect(seller["id"], seller["site_id"])
        await world.control("PUT", "/_sandbox/callback", {"url": None})  # we post the genuine notification
        forged = {str(3_000_000_000_000_000 + n * 7919) for n in range(FORGED)}
        async with running_worker(world.settings):
            await world.control("DELETE", "/_sandbox/requests")
            gate = asyncio.Semaphore(64)

            async def forge(order_id: str) -> str:
                async with gate:
                    return await post(world, seller["id"], order_id)

            flood_started = time.monotonic()
            answers = Counter(await asyncio.gather(*(forge(order_id) for order_id in sorted(forged))))
            flood_seconds = time.monotonic() - flood_started
            genuine = await paid_order(world, seller["id"])  # the seller's buyer pays, after the flood
            genuine_answer = await post(world, seller["id"], genuine)
            delay = await confirmed(world, business_id, genuine, within=30.0)
            inbox = await settled(world)
            log = (await world.control("GET", "/_sandbox/requests"))["requests"]

    calls = calls_by_kind(log, forged, genuine)
    print(
        f"\n{FORGED} forged notifications in {flood_seconds:.2f} s (answers {dict(answers)}); genuine one "
        f"{genuine_answer}; ML calls: {sum(calls.values())} {dict(calls)}; genuine notification -> event: "
        f"{delay:.2f} s; inbox: {inbox}"
    )
    assert sum(answers.values()) == FORGED
    assert sum(calls.values()) <= MAX_CALLS
    assert delay <= MAX_DELAY_S
    assert inbox.get("done", 0) >= 1 and inbox.get("pending", 0) == inbox.get("throttled", 0) == 0
