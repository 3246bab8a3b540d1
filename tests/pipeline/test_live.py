"""Live pipeline end to end: sandbox notifications → webhook → inbox → arq worker → ML API → events."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update
from sqlmodel import select

from sandboxes.mercadolibre import SandboxConfig
from tests.pipeline.harness import offline_world, oracle_view
from worker.pipeline.queue import request_drains
from worker.settings import Settings
from worker.store.models import InboxRow


async def test_store_equals_oracle_and_a_second_run_adds_nothing(settings: Settings) -> None:
    config = SandboxConfig(seed=11, sellers=1, orders=40, notify_time_scale=0.001)
    async with offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        business_id, _ = await world.connect(seller["id"], seller["site_id"])

        await world.control("POST", "/_sandbox/advance", {"steps": "all"})
        await world.deliveries_settled()
        await world.run_worker()

        expected = oracle_view(await world.expected(seller["id"]))
        stored = await world.stored(business_id)
        assert stored == expected
        assert Counter(e["action"] for e in expected).keys() >= {"order.confirmed", "order.shipped", "order.cancelled"}

        async with world.context.db.transaction() as session:
            rows = (await session.exec(select(InboxRow))).all()
        assert Counter(row.status for row in rows) == Counter({"done": len(rows)})

        async with world.context.db.transaction() as session:  # every job again: nothing new may appear
            await session.exec(update(InboxRow).values(status="pending"))
        assert await request_drains(world.context.redis, {row.account_id for row in rows if row.account_id}) == 1
        await world.run_worker()
        assert await world.stored(business_id) == expected
        async with world.context.db.transaction() as session:
            statuses = Counter(row.status for row in (await session.exec(select(InboxRow))).all())
        assert statuses == Counter({"done": len(rows)})
