"""Nothing missed: a notification ML never delivered is recovered by the missed-feeds reader (through the same
inbox and dedupe as webhooks) and by the scheduled re-sync (origin `reconcile`), and coverage shows it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import select

from sandboxes.mercadolibre import SandboxConfig
from tests.backfill.conftest import bulk_settings, sandbox_start
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.backfill.progress import backfill_json
from worker.redis_keys import cron_job
from worker.settings import Settings
from worker.store.accounts import get_account
from worker.store.events import read_events
from worker.store.models import InboxRow


def lively(seed: int) -> SandboxConfig:
    return SandboxConfig(seed=seed, sellers=1, orders=0, start=sandbox_start(hours_ago=3), notify_time_scale=0.001)


async def paid_order(world: World, seller_id: int) -> int:
    """An order paid while notifications flow: its events arrive live."""
    created = await world.control("POST", "/_sandbox/orders", {"seller_id": seller_id})
    order_id = int(created["order_ids"][0])
    await world.control("POST", f"/_sandbox/orders/{order_id}/transitions", {"kind": "pay"})
    await world.deliveries_settled()
    await world.run_worker()
    return order_id


async def ship_unnoticed(world: World, order_id: int) -> None:
    """The order ships while ML cannot reach us: those notifications end up in /missed_feeds."""
    await world.control("PUT", "/_sandbox/callback", {"url": None})
    for kind in ("ready_to_ship", "ship"):
        await world.control("POST", f"/_sandbox/orders/{order_id}/transitions", {"kind": kind})
    await world.control("PUT", "/_sandbox/callback", {"url": f"{world.web_url}/webhooks/mercadolibre"})
    await world.run_worker()


async def inbox(world: World) -> list[InboxRow]:
    async with world.context.db.transaction() as session:
        return list((await session.exec(select(InboxRow))).all())


async def origins(world: World, business_id: int) -> dict[str, str]:
    views = await read_events(world.context.db, business_id=business_id)
    return {view.action: view.origin for view in views}


async def lost_shipment(world: World) -> tuple[int, int, int, list[dict[str, Any]]]:
    (seller,) = await world.sellers()
    business_id, account_id = await world.connect(seller["id"], seller["site_id"])
    await ship_unnoticed(world, await paid_order(world, seller["id"]))
    expected = oracle_view(await world.expected(seller["id"]))
    stored = await world.stored(business_id)
    assert [e["action"] for e in expected] == ["order.confirmed", "order.shipped"]
    assert [e["action"] for e in stored] == ["order.confirmed"]  # lost, for now
    return seller["id"], business_id, account_id, expected


async def test_the_missed_feeds_job_recovers_a_lost_notification_once(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings, missed_feeds_every_minutes=10), lively(21)) as world:
        _, business_id, account_id, expected = await lost_shipment(world)
        missed = await world.control("GET", "/_sandbox/notifications?state=missed")

        await world.context.redis.enqueue_job(cron_job(world.settings.queue_name, "read_missed_feeds"))
        await world.run_worker()
        await world.context.redis.enqueue_job(
            cron_job(world.settings.queue_name, "read_missed_feeds"), _job_id="read-again"
        )
        await world.run_worker()

        assert await world.stored(business_id) == expected
        assert await origins(world, business_id) == {"order.confirmed": "live", "order.shipped": "missed_feed"}
        recovered = [row for row in await inbox(world) if row.origin == "missed_feed"]
        assert sorted(row.notification_id or "" for row in recovered) == sorted(d["_id"] for d in missed["deliveries"])
        assert {row.status for row in recovered} == {"done"}
        account = await get_account(world.context.db, account_id)
        assert account is not None
        coverage = (await backfill_json(world.context.db, account))["coverage"]
        assert coverage["notifications_by_origin"]["missed_feed"] == missed["total"] > 0
        assert coverage["events_by_origin"] == {"live": 1, "missed_feed": 1}


async def test_the_resync_recovers_a_lost_notification_as_reconcile(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings), lively(22)) as world:
        _, business_id, account_id, expected = await lost_shipment(world)

        await world.context.redis.enqueue_job("reconcile_account", account_id)
        await world.run_worker()
        await world.context.redis.enqueue_job("reconcile_account", account_id)  # again: nothing new
        await world.run_worker()

        assert await world.stored(business_id) == expected
        assert await origins(world, business_id) == {"order.confirmed": "live", "order.shipped": "reconcile"}
        account = await get_account(world.context.db, account_id)
        assert account is not None
        progress = await backfill_json(world.context.db, account)
        assert progress["coverage"]["events_by_origin"] == {"live": 1, "reconcile": 1}
        assert (progress["status"], progress["runs"]) == ("none", [])
        assert Counter(row.origin for row in await inbox(world)) == Counter({"webhook": len(await inbox(world))})
