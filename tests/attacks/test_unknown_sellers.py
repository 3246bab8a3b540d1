"""A flood of 10,000 notifications from 1,000 sellers nobody connected: every one is answered 200 and recorded as
ignored (exact counts), and the arq queue stays empty the whole time — not one job, not one job key."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func
from sqlmodel import col, select

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.store.models import InboxRow

FLOOD, SELLERS = 10_000, 1_000  # 10 orders per unknown seller, sent together


async def test_ten_thousand_notifications_for_unknown_sellers_do_not_grow_the_queue(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    queue, app_id = context.settings.queue_name, int(context.settings.ml_client_id)
    sizes: list[int] = []
    gate = asyncio.Semaphore(100)

    async def post(n: int) -> tuple[int, str]:
        seller = 800_000_000 + n // (FLOOD // SELLERS)
        note = {
            "topic": "orders_v2",
            "resource": f"/orders/{3_000_000_000 + n}",
            "user_id": seller,
            "application_id": app_id,
        }
        async with gate:
            response = await client.post("/webhooks/mercadolibre", json=note)
            return response.status, (await response.json())["status"]

    async def watch() -> None:
        while True:
            sizes.append(await context.redis.zcard(queue))
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())
    answers = Counter(await asyncio.gather(*(post(n) for n in range(FLOOD))))
    watcher.cancel()
    async with context.db.transaction() as session:
        statement = select(col(InboxRow.status), col(InboxRow.reason), func.count()).group_by(
            col(InboxRow.status), col(InboxRow.reason)
        )
        rows = {(status, reason): count for status, reason, count in (await session.exec(statement)).all()}

    assert answers == Counter({(200, "ignored"): FLOOD})
    assert rows == {("ignored", "unknown seller"): FLOOD}
    assert len(sizes) > 5 and set(sizes) == {0}
    assert await context.redis.zcard(queue) == 0
    assert [key async for key in context.redis.scan_iter(match=f"arq:job:{queue}:*")] == []
