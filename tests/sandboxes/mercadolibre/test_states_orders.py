"""Order states beyond paid/cancelled: no shipment, confirmed and in-process payments, partially paid,
pending_cancel then cancelled, invalid. Exact documents and the exact oracle after each story."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import bearer, create_order, ml_error, token_for, transition
from tests.sandboxes.mercadolibre.story import (
    ITEMS,
    ORDER,
    PACK,
    PAYMENT,
    REFUND,
    SHIPMENT,
    cancelled,
    confirmed,
    fetch,
    local,
    oracle,
    received,
    utc,
)


async def test_order_without_shipment(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS, no_shipping=True)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    headers = bearer(await token_for(client))

    order = await fetch(client, f"/orders/{ORDER}", headers)
    ship = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "ship"})

    assert (order["shipping"], order["pack_id"], order["tags"]) == (
        {"id": None},
        PACK,
        ["no_shipping", "paid", "not_delivered"],
    )
    assert (ship.status, await ship.json()) == (
        409,
        ml_error(409, "invalid_transition", f"order {ORDER} has no shipment"),
    )
    assert await oracle(client) == [confirmed(ORDER, 2)]


async def test_single_orders_get_a_pack_of_their_own_and_carts_share_one(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # pack PACK
    await create_order(client, items=ITEMS, orders=2)  # pack PACK + 1, tag pack_order
    headers = bearer(await token_for(client))

    single, first, second = [await fetch(client, f"/orders/{ORDER + n}", headers) for n in range(3)]

    assert [(o["pack_id"], o["tags"]) for o in (single, first, second)] == [
        (PACK, []),
        (PACK + 1, ["pack_order"]),
        (PACK + 1, ["pack_order"]),
    ]


async def test_confirmed_then_payment_in_process_then_paid(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS, status="confirmed")  # 12:01
    headers = bearer(await token_for(client))
    created = await fetch(client, f"/orders/{ORDER}", headers)
    await transition(client, ORDER, "payment_in_process")  # 12:02
    reviewed = await fetch(client, f"/orders/{ORDER}", headers)
    review_events = await oracle(client)
    await transition(client, ORDER, "pay")  # 12:03

    paid = await fetch(client, f"/orders/{ORDER}", headers)
    payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)

    assert (created["status"], created["payments"][0]["status"]) == ("confirmed", "pending")
    assert (reviewed["status"], reviewed["payments"][0]["status"], reviewed["payments"][0]["status_detail"]) == (
        "payment_in_process",
        "in_process",
        "pending_review_manual",
    )
    assert review_events == []
    assert (paid["status"], paid["date_closed"], payment["status"], payment["date_approved"]) == (
        "paid",
        local(3),
        "approved",
        local(3),
    )
    assert await oracle(client) == [confirmed(ORDER, 3)]


async def test_partially_paid_is_confirmed_at_the_first_approval(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01, 2000.00
    await transition(client, ORDER, "pay_partially", amount="800")  # 12:02
    headers = bearer(await token_for(client))
    partial = await fetch(client, f"/orders/{ORDER}", headers)
    await transition(client, ORDER, "pay")  # 12:03

    paid = await fetch(client, f"/orders/{ORDER}", headers)

    assert (partial["status"], partial["paid_amount"], partial["tags"]) == ("partially_paid", 800.0, ["not_delivered"])
    assert [(p["id"], p["status"], p["transaction_amount"]) for p in partial["payments"]] == [
        (PAYMENT, "approved", 800.0),
        (PAYMENT + 1, "pending", 1200.0),
    ]
    assert (paid["status"], paid["paid_amount"], paid["date_closed"]) == ("paid", 2000.0, local(2))
    assert [p["date_approved"] for p in paid["payments"]] == [local(2), local(3)]
    assert await oracle(client) == [confirmed(ORDER, 2)]


async def test_pending_cancel_is_no_cancellation_until_it_completes(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, ORDER, "pending_cancel")  # 12:03
    headers = bearer(await token_for(client))
    pending = await fetch(client, f"/orders/{ORDER}", headers)
    pending_payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)
    pending_events = await oracle(client)
    await transition(client, ORDER, "complete_cancel", delay_s=180)  # 12:06

    done = await fetch(client, f"/orders/{ORDER}", headers)
    payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)
    shipment = await fetch(client, f"/shipments/{SHIPMENT}", {**headers, "x-format-new": "true"})

    detail = {
        "group": "buyer",
        "code": "buyer_cancel",
        "description": "Cancelled by the buyer",
        "requested_by": "buyer",
        "date": local(3),
        "application_id": None,
    }
    assert (pending["status"], pending["cancel_detail"]) == ("pending_cancel", detail)
    assert [(r["id"], r["status"], r["amount"]) for r in pending_payment["refunds"]] == [(REFUND, "in_process", 2000.0)]
    assert (pending_payment["status"], pending_payment["transaction_amount_refunded"]) == ("approved", 0.0)
    assert pending_events == [confirmed(ORDER, 2)]
    assert (done["status"], done["cancel_detail"], done["last_updated"]) == ("cancelled", detail, local(6))
    assert [(r["status"], r["date_created"]) for r in payment["refunds"]] == [("approved", local(3))]
    assert (payment["status"], payment["status_detail"]) == ("refunded", "refunded")
    assert (shipment["status"], shipment["substatus"], shipment["last_updated"]) == (
        "cancelled",
        "cancelled_manually",
        local(6),
    )
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        cancelled(ORDER, 3),  # dated by cancel_detail.date, the pending step
        received(ORDER, 3, "2000.00", REFUND),  # dated by the refund's date_created
    ]


async def test_known_at_is_when_the_documents_first_show_the_event(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, ORDER, "pending_cancel")  # 12:03
    await transition(client, ORDER, "complete_cancel", delay_s=180)  # 12:06

    events = await oracle(client, with_known_at=True)

    assert [(e["action"], e["tracked_at"], e["known_at"]) for e in events] == [
        ("order.confirmed", utc(2), utc(2)),
        ("order.cancelled", utc(3), utc(6)),  # dated by the pending step, visible once it completed
        ("refund.received", utc(3), utc(6)),  # the refund entry is approved when the cancellation completes
    ]
    assert [{k: v for k, v in e.items() if k != "known_at"} for e in events] == await oracle(client)


async def test_invalid_order(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, ORDER, "invalidate")  # 12:03
    headers = bearer(await token_for(client))

    order = await fetch(client, f"/orders/{ORDER}", headers)
    again = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "ready_to_ship"})

    assert (order["status"], order["cancel_detail"], order["tags"], order["last_updated"]) == (
        "invalid",
        None,
        ["not_delivered"],
        local(3),
    )
    assert [(p["status"], p["transaction_amount_refunded"]) for p in order["payments"]] == [("refunded", 2000.0)]
    assert again.status == 409
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        cancelled(ORDER, 3),  # no cancel_detail: the moment of the step, the order's last_updated
        received(ORDER, 3, "2000.00", REFUND),
    ]
