"""Claims on a shipment (a cart's "not received"), on a payment, with a return; disputes; what the claims
search finds by order, resource, payment and seller; which claim types ask for money back."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER, bearer, create_order, token_for, transition
from tests.sandboxes.mercadolibre.story import (
    CLAIM,
    ITEMS,
    ORDER,
    PAYMENT,
    REFUND,
    SHIPMENT,
    confirmed,
    ev,
    fetch,
    local,
    oracle,
    received,
    shipped,
)

B = ORDER + 1


def requested(order: int, minute: int, key: str) -> dict[str, Any]:
    return ev("refund.requested", order, minute, None, key)


async def search(client: TestClient[Any, Any], headers: dict[str, str], **query: str) -> list[int]:
    body = await fetch(client, "/post-purchase/v1/claims/search", headers, params=query)
    return [claim["id"] for claim in body["data"]]


async def test_claim_on_a_cart_shipment_asks_for_both_orders(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS, orders=2)  # 12:01: ORDER and B share SHIPMENT
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, B, "pay")  # 12:03
    await transition(client, ORDER, "ready_to_ship")  # 12:04
    await transition(client, ORDER, "ship")  # 12:05
    await transition(client, ORDER, "open_claim", resource="shipment", reason_id="PNR3430")  # 12:06
    headers = bearer(await token_for(client))
    opened = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)
    await transition(client, B, "escalate_claim")  # 12:07
    disputed = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)
    await transition(client, ORDER, "close_claim", reason="payment_refunded")  # 12:08

    closed = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)

    assert (opened["resource"], opened["resource_id"], opened["stage"], opened["reason_id"]) == (
        "shipment",
        SHIPMENT,
        "claim",
        "PNR3430",
    )
    assert [(p["role"], p["type"], p["user_id"]) for p in opened["players"]] == [
        ("complainant", "receiver", FIRST_BUYER),
        ("respondent", "sender", SELLER),
    ]
    assert disputed["stage"] == "dispute"
    assert disputed["players"][-1] == {
        "role": "mediator",
        "type": "internal",
        "user_id": 100000001,
        "available_actions": [],
    }
    assert (closed["status"], closed["stage"], closed["resolution"]["closed_by"]) == ("closed", "none", "mediator")
    assert await search(client, headers, order_id=str(ORDER)) == []
    assert await search(client, headers, resource="shipment", resource_id=str(SHIPMENT)) == [CLAIM]
    assert await search(client, headers, **{"players.role": "respondent", "players.user_id": str(SELLER)}) == [CLAIM]
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        confirmed(B, 3),
        shipped(ORDER, 5),
        shipped(B, 5),
        requested(ORDER, 6, f"ml:claim:{CLAIM}:order:{ORDER}:requested"),
        requested(B, 6, f"ml:claim:{CLAIM}:order:{B}:requested"),
        received(ORDER, 8, "2000.00", REFUND),
        received(B, 8, "2000.00", REFUND + 1),
    ]


async def test_claim_on_a_payment(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, ORDER, "open_claim", resource="payment")  # 12:03
    headers = bearer(await token_for(client))
    claim = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)
    await transition(client, ORDER, "close_claim", reason="partial_refunded", amount="400")  # 12:04

    order = await fetch(client, f"/orders/{ORDER}", headers)

    assert (claim["resource"], claim["resource_id"]) == ("payment", PAYMENT)
    assert [(p["role"], p["type"]) for p in claim["players"]] == [("complainant", "payer"), ("respondent", "collector")]
    assert (order["status"], order["mediations"]) == ("partially_refunded", [])
    assert await search(client, headers, order_id=str(ORDER)) == []
    assert await search(client, headers, payment_id=str(PAYMENT)) == [CLAIM]
    assert await search(client, headers, resource="payment", resource_id=str(PAYMENT)) == [CLAIM]
    assert await oracle(client) == [
        confirmed(ORDER, 2),
        requested(ORDER, 3, f"ml:claim:{CLAIM}:requested"),
        received(ORDER, 4, "400.00", REFUND),
    ]


async def test_return_claim_serves_its_return(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    for kind in ("pay", "ready_to_ship", "ship", "deliver"):  # 12:02 .. 12:05
        await transition(client, ORDER, kind)
    await transition(client, ORDER, "open_claim", type="return")  # 12:06
    headers = bearer(await token_for(client))
    claim = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)
    pending = await fetch(client, f"/post-purchase/v2/claims/{CLAIM}/returns", headers)
    await transition(client, ORDER, "close_claim", reason="payment_refunded")  # 12:07

    done = await fetch(client, f"/post-purchase/v2/claims/{CLAIM}/returns", headers)

    assert (claim["type"], claim["related_entities"]) == ("return", ["return"])
    assert pending == {
        "id": 57300000,
        "claim_id": CLAIM,
        "resource_type": "order",
        "resource_id": ORDER,
        "status": "pending",
        "status_money": "retained",
        "subtype": "return_total",
        "refund_at": "delivered",
        "shipments": [
            {
                "shipment_id": 44090000000,
                "status": "pending",
                "tracking_number": None,
                "destination": {"name": "seller_address"},
                "type": "return",
            }
        ],
        "orders": [
            {
                "order_id": ORDER,
                "item_id": "MLA1400000024",
                "variation_id": None,
                "context_type": "total",
                "total_quantity": "2.0",
                "return_quantity": "2.0",
            }
        ],
        "related_entities": [],
        "intermediate_check": False,
        "resources": [{"resource": "claim", "resource_id": str(CLAIM)}],
        "date_created": "2026-03-02T12:06:00.000+00:00",
        "last_updated": "2026-03-02T12:06:00.000+00:00",
        "date_closed": None,
    }
    assert (done["status"], done["status_money"], done["shipments"][0]["status"], done["date_closed"]) == (
        "delivered",
        "refunded",
        "delivered",
        "2026-03-02T12:07:00.000+00:00",
    )
    assert await search(client, headers, order_id=str(ORDER)) == [CLAIM]
    assert (await oracle(client))[-2:] == [
        requested(ORDER, 6, f"ml:claim:{CLAIM}:requested"),
        received(ORDER, 7, "2000.00", REFUND),
    ]


async def test_a_claim_without_return_has_no_returns_document(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)
    await transition(client, ORDER, "pay")
    await transition(client, ORDER, "open_claim")
    headers = bearer(await token_for(client))

    body = await fetch(client, f"/post-purchase/v2/claims/{CLAIM}/returns", headers, status=404)

    assert body == {"message": f"Return not found for claim {CLAIM}", "error": "not_found", "status": 404, "cause": []}


@pytest.mark.parametrize(
    ("kind", "asks"),
    [
        ("mediations", True),
        ("returns", True),
        ("fulfillment", True),
        ("cancel_purchase", True),
        ("cancel_sale", False),
        ("change", False),
    ],
)
async def test_which_claim_types_ask_for_money_back(client: TestClient[Any, Any], kind: str, asks: bool) -> None:
    await create_order(client, items=ITEMS)  # 12:01
    await transition(client, ORDER, "pay")  # 12:02
    await transition(client, ORDER, "open_claim", type=kind)  # 12:03

    expected = [confirmed(ORDER, 2)] + ([requested(ORDER, 3, f"ml:claim:{CLAIM}:requested")] if asks else [])
    assert await oracle(client) == expected


async def test_claim_dates_are_local(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)
    await transition(client, ORDER, "pay")
    await transition(client, ORDER, "open_claim")  # 12:03
    headers = bearer(await token_for(client))

    claim = await fetch(client, f"/post-purchase/v1/claims/{CLAIM}", headers)

    assert (claim["date_created"], claim["last_updated"]) == (local(3), local(3))
