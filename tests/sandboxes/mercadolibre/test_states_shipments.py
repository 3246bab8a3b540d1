"""Shipment paths per logistic type: when the goods leave the seller (the oracle's `order.shipped`), the
history documents (UTC, newest first; fulfillment in no order), not delivered, shipped outside Mercado Envíos."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import bearer, create_order, token_for, transition
from tests.sandboxes.mercadolibre.story import (
    ITEMS,
    ORDER,
    SHIPMENT,
    confirmed,
    delivered,
    fetch,
    local,
    oracle,
    shipped,
    utc,
)


async def story(client: TestClient[Any, Any], logistic_type: str, *states: tuple[str, str | None]) -> dict[str, str]:
    """Created 12:01, paid 12:02, then one shipment state per minute from 12:03."""
    await create_order(client, items=ITEMS, logistic_type=logistic_type)
    await transition(client, ORDER, "pay")
    for status, substatus in states:
        await transition(client, ORDER, "shipment", status=status, substatus=substatus)
    return bearer(await token_for(client))


def row(status: str, substatus: str | None, minute: int) -> dict[str, Any]:
    return {"status": status, "substatus": substatus, "date": utc(minute)}


async def test_cross_docking_is_shipped_when_the_carrier_picks_it_up(client: TestClient[Any, Any]) -> None:
    headers = await story(
        client,
        "cross_docking",
        ("ready_to_ship", "ready_to_print"),  # 12:03
        ("ready_to_ship", "printed"),  # 12:04
        ("ready_to_ship", "picked_up"),  # 12:05: the goods leave the seller
        ("ready_to_ship", "in_hub"),  # 12:06
        ("shipped", None),  # 12:07
        ("delivered", None),  # 12:08
    )

    history = await fetch(client, f"/shipments/{SHIPMENT}/history", headers)
    legacy = await fetch(client, f"/shipments/{SHIPMENT}", headers)

    assert history == [
        row("delivered", None, 8),
        row("shipped", None, 7),
        row("ready_to_ship", "in_hub", 6),
        row("ready_to_ship", "picked_up", 5),
        row("ready_to_ship", "printed", 4),
        row("ready_to_ship", "ready_to_print", 3),
        row("handling", None, 2),
        row("pending", None, 1),
    ]
    assert (legacy["logistic_type"], legacy["date_first_printed"]) == ("cross_docking", local(4))
    assert (legacy["status_history"]["date_shipped"], legacy["status_history"]["date_delivered"]) == (
        local(7),
        local(8),
    )
    assert await oracle(client) == [confirmed(ORDER, 2), shipped(ORDER, 5), delivered(ORDER, 8)]


async def test_fulfillment_history_comes_in_no_particular_order(client: TestClient[Any, Any]) -> None:
    headers = await story(
        client,
        "fulfillment",
        ("ready_to_ship", "in_warehouse"),  # 12:03
        ("ready_to_ship", "packed"),  # 12:04
        ("shipped", None),  # 12:05: leaves the warehouse
        ("delivered", None),  # 12:06
    )

    history = await fetch(client, f"/shipments/{SHIPMENT}/history", headers)
    again = await fetch(client, f"/shipments/{SHIPMENT}/history", headers)

    assert history == [  # shuffled with the shipment id as seed: stable, but neither newest nor oldest first
        row("shipped", None, 5),
        row("ready_to_ship", "packed", 4),
        row("ready_to_ship", "in_warehouse", 3),
        row("pending", None, 1),
        row("delivered", None, 6),
        row("handling", None, 2),
    ]
    assert again == history
    assert await oracle(client) == [confirmed(ORDER, 2), shipped(ORDER, 5), delivered(ORDER, 6)]


async def test_drop_off_not_delivered_and_returned_was_shipped(client: TestClient[Any, Any]) -> None:
    headers = await story(
        client,
        "drop_off",
        ("ready_to_ship", "ready_to_print"),  # 12:03
        ("ready_to_ship", "dropped_off"),  # 12:04: the seller hands it over
        ("shipped", "out_for_delivery"),  # 12:05
        ("not_delivered", "returning_to_sender"),  # 12:06
        ("not_delivered", "returned"),  # 12:07
    )

    legacy = await fetch(client, f"/shipments/{SHIPMENT}", headers)
    order = await fetch(client, f"/orders/{ORDER}", headers)

    assert legacy["status_history"] == {
        "date_handling": local(2),
        "date_ready_to_ship": local(3),
        "date_shipped": local(5),
        "date_delivered": None,
        "date_not_delivered": local(6),
        "date_returned": local(7),
        "date_cancelled": None,
        "date_first_visit": None,
    }
    assert (order["status"], order["tags"]) == ("paid", ["paid", "not_delivered"])
    assert await oracle(client) == [confirmed(ORDER, 2), shipped(ORDER, 4)]


async def test_shipped_outside_mercado_envios(client: TestClient[Any, Any]) -> None:
    headers = await story(
        client,
        "drop_off",
        ("ready_to_ship", "ready_to_print"),  # 12:03
        ("cancelled", "shipped_outside_me"),  # 12:04
    )

    shipment = await fetch(client, f"/shipments/{SHIPMENT}", {**headers, "x-format-new": "true"})

    assert (shipment["status"], shipment["substatus"], shipment["tracking_number"]) == (
        "cancelled",
        "shipped_outside_me",
        None,
    )
    assert await oracle(client) == [confirmed(ORDER, 2), shipped(ORDER, 4)]


async def test_flex_first_visit_finds_nobody_home(client: TestClient[Any, Any]) -> None:
    headers = await story(
        client,
        "self_service",
        ("ready_to_ship", "ready_for_pickup"),  # 12:03
        ("shipped", "out_for_delivery"),  # 12:04: the Flex driver leaves with it
        ("shipped", "receiver_absent"),  # 12:05
        ("delivered", None),  # 12:06
    )

    legacy = await fetch(client, f"/shipments/{SHIPMENT}", headers)

    assert (legacy["logistic_type"], legacy["status_history"]["date_first_visit"]) == ("self_service", local(5))
    assert await oracle(client) == [confirmed(ORDER, 2), shipped(ORDER, 4), delivered(ORDER, 6)]


async def test_ready_to_ship_then_delivered_is_shipped_at_delivery(client: TestClient[Any, Any]) -> None:
    headers = await story(client, "xd_drop_off", ("ready_to_ship", "ready_to_print"), ("delivered", None))

    shipment = await fetch(client, f"/shipments/{SHIPMENT}", {**headers, "x-format-new": "true"})

    assert (shipment["logistic"]["type"], shipment["status"]) == ("xd_drop_off", "delivered")
    assert await oracle(client) == [confirmed(ORDER, 2), delivered(ORDER, 4), shipped(ORDER, 4)]


async def test_moves_off_the_documented_path_are_refused(client: TestClient[Any, Any]) -> None:
    await story(client, "fulfillment", ("ready_to_ship", "in_warehouse"))

    picked = await client.post(
        f"/_sandbox/orders/{ORDER}/transitions",
        json={"kind": "shipment", "status": "ready_to_ship", "substatus": "picked_up"},
    )
    returned = await client.post(
        f"/_sandbox/orders/{ORDER}/transitions",
        json={"kind": "shipment", "status": "not_delivered", "substatus": "returned"},
    )

    assert (picked.status, (await picked.json())["message"]) == (
        409,
        f"shipment {SHIPMENT} cannot go ready_to_ship/in_warehouse -> ready_to_ship/picked_up",
    )
    assert returned.status == 409
