"""Money going back: refunds in process (later approved or rejected), `partially_refunded` orders, and
chargebacks (terminal). Exact payment documents and the exact oracle."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import bearer, create_order, ml_error, token_for, transition
from tests.sandboxes.mercadolibre.story import (
    ITEMS,
    ORDER,
    PAYMENT,
    REFUND,
    confirmed,
    ev,
    fetch,
    local,
    oracle,
    received,
)


async def paid_order(client: TestClient[Any, Any], **extra: Any) -> dict[str, str]:
    await create_order(client, items=ITEMS, **extra)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    return bearer(await token_for(client))


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
async def test_refund_in_process_counts_only_once_approved(client: TestClient[Any, Any], outcome: str) -> None:
    headers = await paid_order(client)
    await transition(client, ORDER, "partial_refund", amount="300", status="in_process")  # 12:03
    order_before = await fetch(client, f"/orders/{ORDER}", headers)
    payment_before = await fetch(client, f"/v1/payments/{PAYMENT}", headers)
    events_before = await oracle(client)
    await transition(client, ORDER, "settle_refund", status=outcome)  # 12:04

    order = await fetch(client, f"/orders/{ORDER}", headers)
    payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)

    assert (order_before["status"], payment_before["transaction_amount_refunded"]) == ("paid", 0.0)
    assert [(r["id"], r["status"], r["date_created"]) for r in payment_before["refunds"]] == [
        (REFUND, "in_process", local(3))
    ]
    assert events_before == [confirmed(ORDER, 2)]
    assert [(r["id"], r["status"], r["date_created"]) for r in payment["refunds"]] == [(REFUND, outcome, local(3))]
    assert payment["date_last_updated"] == local(4)
    if outcome == "approved":
        assert (order["status"], payment["status"], payment["status_detail"]) == (
            "partially_refunded",
            "approved",
            "partially_refunded",
        )
        assert payment["transaction_amount_refunded"] == 300.0
        assert await oracle(client) == [confirmed(ORDER, 2), received(ORDER, 3, "300.00", REFUND)]
    else:
        assert (order["status"], payment["status"], payment["status_detail"]) == ("paid", "approved", "accredited")
        assert payment["transaction_amount_refunded"] == 0.0
        assert await oracle(client) == [confirmed(ORDER, 2)]


async def test_two_partial_refunds_make_two_events_and_a_partially_refunded_order(
    client: TestClient[Any, Any],
) -> None:
    headers = await paid_order(client)
    await transition(client, ORDER, "partial_refund", amount="300")  # 12:03
    await transition(client, ORDER, "partial_refund", amount="200.50")  # 12:04

    order = await fetch(client, f"/orders/{ORDER}", headers)

    assert (order["status"], order["tags"]) == ("partially_refunded", ["paid", "not_delivered"])
    assert order["payments"][0]["transaction_amount_refunded"] == 500.5
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        received(ORDER, 3, "300.00", REFUND),
        received(ORDER, 4, "200.50", REFUND + 1),
    ]


async def test_chargeback_is_one_event_and_freezes_the_payment(client: TestClient[Any, Any]) -> None:
    headers = await paid_order(client, shipping_cost="300")  # paid 2300.00: 2000 + 300 shipping
    await transition(client, ORDER, "partial_refund", amount="500")  # 12:03
    await transition(client, ORDER, "chargeback", status_detail="reimbursed")  # 12:04
    at_chargeback = await fetch(client, f"/v1/payments/{PAYMENT}", headers)
    late_refund = await client.post(
        f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "partial_refund", "amount": "10"}
    )
    await transition(client, ORDER, "ready_to_ship")  # 12:05: life goes on for the order, not the payment

    payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)
    order = await fetch(client, f"/orders/{ORDER}", headers)

    assert (payment["status"], payment["status_detail"], payment["date_last_updated"]) == (
        "charged_back",
        "reimbursed",
        local(4),
    )
    assert payment == at_chargeback
    assert (payment["transaction_amount"], payment["transaction_amount_refunded"]) == (2000.0, 500.0)
    assert (late_refund.status, await late_refund.json()) == (
        409,
        ml_error(409, "invalid_transition", f"order {ORDER} has no approved payment that can be refunded"),
    )
    assert (order["payments"][0]["status"], order["payments"][0]["date_last_modified"]) == ("charged_back", local(4))
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        received(ORDER, 3, "500.00", REFUND),
        # transaction_amount minus the approved refunds, at the chargeback (= date_last_updated)
        ev("refund.received", ORDER, 4, "1500.00", f"ml:chargeback:{PAYMENT}"),
    ]


async def test_a_fully_refunded_payment_cannot_be_charged_back(client: TestClient[Any, Any]) -> None:
    await paid_order(client)
    await transition(client, ORDER, "partial_refund", amount="2000")

    response = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "chargeback"})

    assert (response.status, (await response.json())["message"]) == (
        409,
        f"payment {PAYMENT} has nothing left to charge back",
    )
