"""A related document that cannot be read never costs the events that do not need it: they are stored, the
order is recorded as having a gap, and a later fetch (the refetch job) adds the rest with their own times."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from sandboxes.mercadolibre import SandboxConfig
from tests.pipeline.harness import offline_world, oracle_view
from worker.jobs.deps import build_deps, close_deps
from worker.jobs.refetch import refetch_order
from worker.pipeline.sync import SyncTarget, sync_order
from worker.settings import Settings
from worker.store.models import RefetchRow

ORDER_ONLY = ("order.confirmed", "order.cancelled")  # the events an order's own document gives


async def gaps(world: Any) -> list[RefetchRow]:
    async with world.context.db.transaction() as session:
        return list((await session.exec(select(RefetchRow).order_by(col(RefetchRow.id)))).all())


async def on_order(deps: Any, target: SyncTarget, event: dict[str, Any]) -> bool:
    if event["action"] != "refund.requested":
        return True
    claim = await deps.client.claim(target.seller, event["dedupe_key"].split(":")[2])
    return bool(claim["resource"] == "order")


async def test_unreadable_related_documents_leave_gaps_that_a_later_fetch_fills(settings: Settings) -> None:
    config = SandboxConfig(seed=11, sellers=1, orders=40, notify_time_scale=0.001)
    async with offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        business_id, account_id = await world.connect(seller["id"], seller["site_id"])
        await world.control("PUT", "/_sandbox/callback", {"url": None})
        await world.control("POST", "/_sandbox/advance", {"steps": "all"})
        expected = oracle_view(await world.expected(seller["id"]))
        orders = sorted({event["order_reference"] for event in expected})
        target = SyncTarget(Seller(account_id, seller["id"]), business_id)
        deps = build_deps(world.settings)
        try:
            await world.control("PUT", "/_sandbox/faults", {"fault_related": 1.0})
            for order_id in orders:
                await sync_order(world.context.db, deps.client, target, order_id, deps.options, Origin.LIVE)

            assert await world.stored(business_id) == [event for event in expected if event["action"] in ORDER_ONLY]
            opened = await gaps(world)
            assert [row.resolved_at for row in opened] == [None] * len(opened)
            needs_more = {event["order_reference"] for event in expected if event["action"] not in ORDER_ONLY}
            assert needs_more <= {row.order_ref for row in opened} <= set(orders)

            await world.control("PUT", "/_sandbox/faults", {"fault_related": 0.0})
            outcomes = [await refetch_order({"deps": deps}, row.id) for row in opened if row.id is not None]

            assert set(outcomes) == {"resolved"}
            # A claim on a shipment or a payment is not listed by its order's claims search: its notification
            # brings it (or the re-sync's claims search by seller); only claims on the order come back here.
            on_orders = [event for event in expected if await on_order(deps, target, event)]
            assert await world.stored(business_id) == on_orders
            assert [row.resolved_at is not None for row in await gaps(world)] == [True] * len(opened)
        finally:
            await close_deps(deps)
