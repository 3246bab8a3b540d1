"""Pack split: the cart's orders are cancelled (`pack_splitted`) and re-created; the new orders carry the
original payments (paid once, confirmed once), their shipments name the cancelled one as sibling."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import FactKind
from tests.sandboxes.mercadolibre.conftest import SELLER, bearer, create_order, sandbox_of, token_for, transition
from tests.sandboxes.mercadolibre.story import (
    ITEMS,
    ORDER,
    PACK,
    PAYMENT,
    REFUND,
    SHIPMENT,
    confirmed,
    fetch,
    local,
    oracle,
    received,
    shipped,
)

E, F = ORDER, ORDER + 1
E2, F2 = ORDER + 2, ORDER + 3
E2_SHIPMENT, F2_SHIPMENT = SHIPMENT + 1, SHIPMENT + 2


async def split_cart(client: TestClient[Any, Any]) -> dict[str, str]:
    await create_order(client, items=ITEMS, orders=2)  # 12:01: E and F in pack PACK, shipment SHIPMENT
    await transition(client, E, "pay")  # 12:02
    await transition(client, F, "pay")  # 12:03
    await transition(client, E, "pack_split")  # 12:04: E2, F2
    return bearer(await token_for(client))


async def test_successors_carry_the_original_payments(client: TestClient[Any, Any]) -> None:
    headers = await split_cart(client)

    old = await fetch(client, f"/orders/{E}", headers)
    new = await fetch(client, f"/orders/{E2}", headers)
    other = await fetch(client, f"/orders/{F2}", headers)
    payment = await fetch(client, f"/v1/payments/{PAYMENT}", headers)

    assert (old["status"], old["cancel_detail"]["code"], old["cancel_detail"]["date"]) == (
        "cancelled",
        "pack_splitted",
        local(4),
    )
    assert (new["status"], new["date_created"], new["date_closed"], new["tags"]) == (
        "paid",
        local(4),
        local(4),
        ["paid", "not_delivered"],
    )
    assert (new["pack_id"], new["shipping"]["id"], other["pack_id"], other["shipping"]["id"]) == (
        PACK + 1,
        E2_SHIPMENT,
        PACK + 2,
        F2_SHIPMENT,
    )
    assert [(p["id"], p["order_id"], p["date_approved"]) for p in new["payments"]] == [(PAYMENT, E, local(2))]
    assert [p["id"] for p in other["payments"]] == [PAYMENT + 1]
    assert (payment["order"], payment["date_approved"]) == ({"id": str(E), "type": "mercadolibre"}, local(2))
    facts = sandbox_of(client).world.facts[SELLER]
    assert [f.ref_id for f in facts if f.kind == FactKind.PAYMENT_APPROVED] == [PAYMENT, PAYMENT + 1]


async def test_shipments_name_their_cancelled_sibling(client: TestClient[Any, Any]) -> None:
    headers = await split_cart(client)
    new_format = {**headers, "x-format-new": "true"}

    original = await fetch(client, f"/shipments/{SHIPMENT}", new_format)
    successor = await fetch(client, f"/shipments/{E2_SHIPMENT}", new_format)
    items = await fetch(client, f"/shipments/{E2_SHIPMENT}/items", headers)

    assert (original["status"], original["substatus"], original["sibling"]["sibling_id"]) == (
        "cancelled",
        "pack_splitted",
        None,
    )
    assert (successor["status"], successor["tags"]) == ("handling", ["source_pack_split"])
    assert successor["sibling"] == {
        "reason": "pack_splitted",
        "sibling_id": SHIPMENT,
        "description": "The pack was split by the cart splitter",
        "source": "cart_splitter",
        "date_created": local(4),
        "last_updated": local(4),
    }
    assert [row["order_id"] for row in items] == [E2]


async def test_split_is_confirmed_once_and_refunds_stay_with_the_paid_order(client: TestClient[Any, Any]) -> None:
    headers = await split_cart(client)
    await transition(client, E2, "partial_refund", amount="300")  # 12:05: on E's payment
    await transition(client, E2, "ready_to_ship")  # 12:06
    await transition(client, E2, "ship")  # 12:07

    successor = await fetch(client, f"/orders/{E2}", headers)
    original = await fetch(client, f"/orders/{E}", headers)

    assert (successor["status"], successor["payments"][0]["transaction_amount_refunded"]) == (
        "partially_refunded",
        300.0,
    )
    assert (original["status"], original["payments"][0]["transaction_amount_refunded"]) == ("cancelled", 300.0)
    assert await oracle(client) == [
        confirmed(E, 2),
        confirmed(F, 3),
        received(E, 5, "300.00", REFUND),  # the payment names E
        shipped(E2, 7),
    ]
