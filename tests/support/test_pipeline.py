"""`meli explain` and `meli replay` as support runs them, over data the real pipeline stored: sandbox
notifications → webhook → inbox → arq worker → ML API → documents and events.

One world, one order, in steps: pending payment, then paid and shipped, then a replay after losing an event.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result
from sqlmodel import col, delete, select

from sandboxes.mercadolibre import SandboxConfig
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.cli import cli
from worker.settings import Settings
from worker.store.models import EventRow
from worker.support.queries import order_documents, orders_fetched_since


@dataclass(frozen=True)
class Case:
    world: World
    seller_id: int
    business_id: int
    account_id: int
    order_id: str
    shipment_id: str


async def meli(world: World, *args: str, columns: int | None = None) -> Result:
    """Run the real CLI against the world's database (in a thread: the CLI runs its own event loop)."""
    env = {"MELI_DATABASE_URL": world.settings.database_url, "COLUMNS": None if columns is None else str(columns)}
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def explain_json(case: Case) -> dict[str, Any]:
    result = await meli(case.world, "explain", case.order_id, "--json")
    assert result.exit_code == 0, result.output
    story: dict[str, Any] = json.loads(result.stdout)
    return story


async def settle(world: World) -> None:
    await world.deliveries_settled()
    await world.run_worker()


async def then_explain_says_why_a_pending_order_is_not_confirmed(case: Case) -> None:
    (order_doc,) = [
        doc for doc in await order_documents(case.world.context.db, case.account_id, case.order_id)
        if doc.kind == "order"
    ]  # fmt: skip
    payment_id = str(order_doc.raw["payments"][0]["id"])
    why = f"no approved payment yet (payment {payment_id} is pending)"

    text = await meli(case.world, "explain", case.order_id)
    story = await explain_json(case)

    assert text.exit_code == 0 and f"  no order.confirmed: {why}\n" in text.stdout
    assert (story["events"], story["problems"], story["not_stored"]) == ([], [], [])
    assert story["absent"][:2] == [
        {"action": "order.confirmed", "reason": why, "text": f"no order.confirmed: {why}"},
        {"action": "order.cancelled", "reason": "the order is payment_required, not cancelled",
         "text": "no order.cancelled: the order is payment_required, not cancelled"},
    ]  # fmt: skip
    assert sorted((n["topic"], n["resource"], n["status"]) for n in story["notifications"]) == [
        ("orders_v2", f"/orders/{case.order_id}", "done"),
        ("payments", f"/collections/{payment_id}", "done"),
        ("shipments", f"/shipments/{case.shipment_id}", "done"),
    ]


async def then_explain_lists_the_events_of_a_processed_order(case: Case) -> None:
    oracle = [
        e for e in oracle_view(await case.world.expected(case.seller_id)) if e["order_reference"] == case.order_id
    ]
    expected = [(e["action"], e["tracked_at"], e["amount"], e["dedupe_key"], "live") for e in oracle]

    text = await meli(case.world, "explain", case.order_id, "--business", str(case.business_id))
    story = await explain_json(case)

    assert [event[0] for event in expected] == ["order.confirmed", "order.shipped"]
    assert [
        (e["action"], e["tracked_at"], e["amount"], e["dedupe_key"], e["origin"]) for e in story["events"]
    ] == expected
    assert (story["not_stored"], story["problems"]) == ([], [])
    assert [absence["text"] for absence in story["absent"]] == [
        "no order.cancelled: the order is paid, not cancelled",
        "no refund.requested: no claim on the order, its payments or its shipment",
        "no refund.received: no refunds on payments (none of the order's payments shows a refund)",
    ]
    lines = text.stdout.splitlines()
    assert text.exit_code == 0 and "Events stored (2)" in lines and "Rules behind them" in lines
    for action, tracked_at, amount, key, origin in expected:
        assert [action, tracked_at, amount, "ARS", key, origin] in [line.split() for line in lines]
    assert any(line.startswith("  order.shipped: the order's shipment is shipped or delivered") for line in lines)
    narrow = await meli(case.world, "explain", case.order_id, columns=80)
    assert narrow.exit_code == 0 and "Events stored (2)" in narrow.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80


async def then_replay_restores_exactly_a_deleted_event(case: Case) -> None:
    world, key = case.world, f"ml:order:{case.order_id}:shipped"
    before = await world.stored(case.business_id)
    orders = len(await orders_fetched_since(world.context.db, case.account_id, None))
    async with world.context.db.transaction() as session:
        await session.exec(delete(EventRow).where(col(EventRow.dedupe_key) == key))

    first = await meli(world, "replay", "--account", str(case.account_id), "--json")
    second = await meli(world, "replay", "--seller", str(case.seller_id), "--json")
    old_style = await meli(world, "replay", "--account", str(case.seller_id), "--json")  # a seller id still works
    second_text = await meli(world, "replay")

    assert (first.exit_code, json.loads(first.stdout)) == (
        0,
        {"accounts": 1, "orders": orders, "events_added": 1, "added_keys": [key], "problems": []},
    )
    assert json.loads(second.stdout)["events_added"] == json.loads(old_style.stdout)["events_added"] == 0
    assert second_text.stdout == f"replayed {orders} orders of 1 account: 0 events added, 0 problems\n"
    assert await world.stored(case.business_id) == before == oracle_view(await world.expected(case.seller_id))
    async with world.context.db.transaction() as session:
        replayed = [row.dedupe_key for row in (await session.exec(select(EventRow))).all() if row.origin == "replay"]
    assert replayed == [key]


async def then_unknown_order_and_account_fail_in_one_line(case: Case) -> None:
    unknown_order = await meli(case.world, "explain", "123")
    unknown_account = await meli(case.world, "replay", "--account", "5")

    assert (unknown_order.exit_code, unknown_order.stderr) == (
        1,
        "error: order 123 is unknown: no notification or stored document names it\n",
    )
    assert (unknown_account.exit_code, unknown_account.stderr) == (
        1,
        "error: no account of seller 5: it was never connected\n",
    )


async def test_explain_and_replay_an_order_the_pipeline_processed(settings: Settings) -> None:
    config = SandboxConfig(seed=11, sellers=1, orders=5, notify_time_scale=0.001)
    async with offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        business_id, account_id = await world.connect(seller["id"], seller["site_id"])
        await world.control("POST", "/_sandbox/advance", {"steps": "all"})
        made = await world.control("POST", "/_sandbox/orders", {"seller_id": seller["id"], "scenario": "manual"})
        case = Case(world, seller["id"], business_id, account_id, str(made["order_ids"][0]), str(made["shipment_id"]))
        await settle(world)

        await then_explain_says_why_a_pending_order_is_not_confirmed(case)
        for kind in ("pay", "ready_to_ship", "ship"):
            await world.control("POST", f"/_sandbox/orders/{case.order_id}/transitions", {"kind": kind})
        await settle(world)
        await then_explain_lists_the_events_of_a_processed_order(case)
        await then_replay_restores_exactly_a_deleted_event(case)
        await then_unknown_order_and_account_fail_in_one_line(case)
