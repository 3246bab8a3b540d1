"""The oracle against a hand-built scenario: every mission event, exactly, from the transition history."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER, bearer, create_order, token_for, transition

ITEMS = [{"title": "Mate de calabaza", "unit_price": "1000.00", "quantity": 2}]
ORDER = 2000010000000000
A, B, C, D, E, F, E2, F2, G = (ORDER + n for n in range(9))
REFUND = 1870000000
CLAIM = 5300000000


def ev(action: str, order: int, minute: int, amount: str | None, key: str) -> dict[str, Any]:
    return {
        "action": action,
        "order_reference": str(order),
        "buyer_id": str(FIRST_BUYER),
        "tracked_at": f"2026-03-02T12:{minute:02d}:00.000Z",
        "amount": amount,
        "currency": "ARS",
        "dedupe_key": key,
    }


async def build_scenario(client: TestClient[Any, Any]) -> None:
    """One call per simulated minute, starting 12:01 (each control call is 60 s after the previous)."""
    await create_order(client, items=ITEMS)  # A 12:01
    for kind in ("pay", "ready_to_ship", "ship", "deliver"):  # 12:02 .. 12:05
        await transition(client, A, kind)
    await transition(client, A, "partial_refund", amount="150.50")  # 12:06
    await transition(client, A, "partial_refund", amount=100)  # 12:07
    await transition(client, A, "open_claim", type="mediations")  # 12:08
    await transition(client, A, "close_claim", reason="payment_refunded")  # 12:09
    await create_order(client, items=ITEMS)  # B 12:10
    await transition(client, B, "cancel")  # 12:11
    await create_order(client, items=ITEMS, shipping_cost="300")  # C 12:12
    await transition(client, C, "pay")  # 12:13
    await transition(client, C, "cancel", code="seller_cancel", group="seller")  # 12:14
    await create_order(client, items=ITEMS)  # D 12:15
    await transition(client, D, "pay")  # 12:16
    await transition(client, D, "refund_to_balance")  # 12:17
    await create_order(client, items=ITEMS, orders=2)  # E, F in one pack 12:18
    await transition(client, E, "pay")  # 12:19
    await transition(client, F, "pay")  # 12:20
    await transition(client, E, "pack_split")  # 12:21 -> E2, F2
    for kind in ("ready_to_ship", "ship", "deliver"):  # 12:22 .. 12:24
        await transition(client, E2, kind)
    await create_order(client, items=ITEMS)  # G 12:25
    await transition(client, G, "reject_payment")  # 12:26
    await transition(client, G, "pay")  # 12:27
    await transition(client, G, "open_claim", type="change")  # 12:28
    await transition(client, G, "close_claim", reason="worked_out_with_seller")  # 12:29
    await transition(client, G, "ready_to_ship")  # 12:30
    await transition(client, G, "deliver")  # 12:31


EXPECTED = [
    ev("order.confirmed", A, 2, "2000.00", f"ml:order:{A}:confirmed"),
    ev("order.shipped", A, 4, "2000.00", f"ml:order:{A}:shipped"),
    ev("order.delivered", A, 5, "2000.00", f"ml:order:{A}:delivered"),
    ev("refund.received", A, 6, "150.50", f"ml:refund:{REFUND}"),
    ev("refund.received", A, 7, "100.00", f"ml:refund:{REFUND + 1}"),
    ev("refund.requested", A, 8, None, f"ml:claim:{CLAIM}:requested"),
    ev("refund.received", A, 9, "1749.50", f"ml:refund:{REFUND + 2}"),
    ev("order.cancelled", B, 11, "2000.00", f"ml:order:{B}:cancelled"),
    ev("order.confirmed", C, 13, "2000.00", f"ml:order:{C}:confirmed"),  # the order's total, not what was paid
    ev("order.cancelled", C, 14, "2000.00", f"ml:order:{C}:cancelled"),
    ev("refund.received", C, 14, "2300.00", f"ml:refund:{REFUND + 4}"),
    ev("order.confirmed", D, 16, "2000.00", f"ml:order:{D}:confirmed"),
    ev("order.cancelled", D, 17, "2000.00", f"ml:order:{D}:cancelled"),
    ev("refund.received", D, 17, "2000.00", f"ml:refund:{REFUND + 5}"),
    ev("order.confirmed", E, 19, "2000.00", f"ml:order:{E}:confirmed"),
    ev("order.confirmed", F, 20, "2000.00", f"ml:order:{F}:confirmed"),  # E2, F2: paid once, on E and F
    ev("order.shipped", E2, 23, "2000.00", f"ml:order:{E2}:shipped"),
    ev("order.delivered", E2, 24, "2000.00", f"ml:order:{E2}:delivered"),
    ev("order.confirmed", G, 27, "2000.00", f"ml:order:{G}:confirmed"),
    ev("order.delivered", G, 31, "2000.00", f"ml:order:{G}:delivered"),
    ev("order.shipped", G, 31, "2000.00", f"ml:order:{G}:shipped"),
]


async def test_oracle_lists_exactly_the_contract_events(client: TestClient[Any, Any]) -> None:
    await build_scenario(client)

    response = await client.get("/_sandbox/expected-events", params={"seller_id": str(SELLER)})

    assert response.status == 200
    assert await response.json() == {"seller_id": SELLER, "events": EXPECTED}


async def test_oracle_can_leave_out_order_delivered(client: TestClient[Any, Any]) -> None:
    await build_scenario(client)

    response = await client.get(
        "/_sandbox/expected-events", params={"seller_id": str(SELLER), "include_delivered": "false"}
    )

    assert (await response.json())["events"] == [e for e in EXPECTED if e["action"] != "order.delivered"]


async def test_documents_agree_with_the_oracle_times(client: TestClient[Any, Any]) -> None:
    """The snapshot fields the contract names carry the same instants the oracle used."""
    await build_scenario(client)
    headers = bearer(await token_for(client))

    order_d = await (await client.get(f"/orders/{D}", headers=headers)).json()
    order_c = await (await client.get(f"/orders/{C}", headers=headers)).json()
    order_e = await (await client.get(f"/orders/{E}", headers=headers)).json()
    history = await (await client.get(f"/shipments/{order_e['shipping']['id']}/history", headers=headers)).json()

    assert (order_d["status"], order_d["tags"], order_d["last_updated"]) == (
        "paid",
        ["paid", "not_delivered", "unfulfilled"],
        "2026-03-02T09:17:00.000-03:00",
    )
    assert order_c["cancel_detail"]["date"] == "2026-03-02T09:14:00.000-03:00"
    assert order_e["cancel_detail"]["code"] == "pack_splitted"
    assert [entry["status"] for entry in history] == ["cancelled", "handling", "pending"]  # newest first
    assert (history[0]["substatus"], history[0]["date"]) == ("pack_splitted", "2026-03-02T12:21:00.000Z")


async def test_unknown_or_missing_seller_is_an_ml_style_error(client: TestClient[Any, Any]) -> None:
    missing = await client.get("/_sandbox/expected-events")
    unknown = await client.get("/_sandbox/expected-events", params={"seller_id": "1"})
    bad_flag = await client.get(
        "/_sandbox/expected-events", params={"seller_id": str(SELLER), "include_delivered": "maybe"}
    )

    assert (missing.status, await missing.json()) == (
        400,
        {"message": "seller_id is required", "error": "bad_request", "status": 400, "cause": []},
    )
    assert (unknown.status, (await unknown.json())["error"]) == (404, "not_found")
    assert (bad_flag.status, (await bad_flag.json())["error"]) == (400, "bad_request")
