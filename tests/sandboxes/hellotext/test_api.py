"""The fake Hellotext answers the calls delivery makes as Hellotext's guides describe, and its oracle records
what it kept."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.hellotext.conftest import AUTH

Client = TestClient[Any, Any]


async def _post(client: Client, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=AUTH)
    return response.status, await response.json()


async def _order(client: Client) -> tuple[str, str]:
    _, buyer = await _post(client, "/v1/properties", {"name": "Mercado Libre buyer", "kind": "text", "unique": True})
    _, profile = await _post(client, "/v1/profiles", {"first_name": "Ana", f"property_by_id[{buyer['id']}]": "11"})
    body = {"name": "Mate", "reference": "MCO1-2", "source": "mercadolibre", "price": {"amount": 10, "currency": "COP"}}
    await _post(client, "/v1/attribution/products", body)
    item = {"product": "MCO1-2", "quantity": 2, "price": {"amount": 10.5, "currency": "COP"}}
    _, order = await _post(client, "/v1/attribution/orders", {"reference": "200", "source": "mercadolibre",
                                                             "items": [item]})  # fmt: skip
    return profile["id"], order["id"]


async def test_a_bad_token_gets_401(hellotext: Client) -> None:
    response = await hellotext.get("/v1/profiles?limit=1", headers={"Authorization": "Bearer nope"})
    assert response.status == 401
    assert (await response.json())["errors"][0]["type"] == "unauthorized"
    assert (await hellotext.get("/v1/profiles?limit=1", headers=AUTH)).status == 200


async def test_an_order_total_comes_from_its_items_and_events_are_recorded(hellotext: Client) -> None:
    profile, order = await _order(hellotext)
    event = {"action": "order.confirmed", "profile": profile, "object": order, "amount": 21.0, "currency": "COP",
             "tracked_at": "2026-11-20T14:02:13Z"}  # fmt: skip
    assert await _post(hellotext, "/v1/attribution/events", event) == (200, {"status": "received"})
    assert await _post(hellotext, "/v1/attribution/events", event) == (200, {"status": "received"})
    oracle = (await (await hellotext.get("/_sandbox/oracle")).json())["Tienda Uno"]
    assert oracle["orders"][0]["total"] == "21.0"
    assert oracle["track_requests"] == 2
    assert [
        {k: e[k] for k in ("action", "profile", "object", "amount", "currency", "tracked_at")} for e in oracle["events"]
    ] == [
        {
            "action": "order.confirmed",
            "profile": profile,
            "object": order,
            "amount": "21.0",
            "currency": "COP",
            "tracked_at": "2026-11-20T14:02:13+00:00",
        }
    ]  # fmt: skip  (one built-in order event per order and action for a profile)


async def test_refunds_are_not_collapsed(hellotext: Client) -> None:
    profile, order = await _order(hellotext)
    event = {"action": "refund.requested", "profile": profile, "object": order, "tracked_at": 1795000000}
    await _post(hellotext, "/v1/attribution/events", event)
    await _post(hellotext, "/v1/attribution/events", event)
    oracle = (await (await hellotext.get("/_sandbox/oracle")).json())["Tienda Uno"]
    assert len(oracle["events"]) == 2


async def test_invalid_events_are_refused_as_documented(hellotext: Client) -> None:
    profile, order = await _order(hellotext)
    base = {"action": "order.shipped", "profile": profile, "object": order}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**base, "action": "order.teleported"}, 404, "action"),
        ({**base, "profile": "missing1"}, 422, "profile"),
        ({**base, "object": "missing1"}, 422, "object"),
        ({**base, "currency": "COP"}, 422, "currency"),
        ({**base, "tracked_at": 1795000000000}, 422, "tracked_at"),
        ({**base, "tracked_at": "2026-11-20T14:02:13"}, 422, "tracked_at"),
        ({"action": "order.shipped", "profile_id": profile}, 422, "profile_id"),
    ]
    for body, status, parameter in cases:
        got_status, got = await _post(hellotext, "/v1/attribution/events", body)
        assert (got_status, got["errors"][0]["parameter"]) == (status, parameter)


async def test_unique_properties_refuse_a_second_profile(hellotext: Client) -> None:
    await _order(hellotext)
    properties = await (await hellotext.get("/v1/properties", headers=AUTH)).json()
    status, body = await _post(hellotext, "/v1/profiles", {f"property_by_id[{properties[0]['id']}]": "11"})
    assert (status, body["errors"][0]["type"]) == (422, "taken")


async def test_products_and_orders_are_found_by_reference(hellotext: Client) -> None:
    _, order = await _order(hellotext)
    found = await (await hellotext.get("/v1/attribution/orders?reference=200&source=mercadolibre", headers=AUTH)).json()
    assert [o["id"] for o in found] == [order]
    none = await (await hellotext.get("/v1/attribution/orders?reference=201", headers=AUTH)).json()
    assert none == []
    products = await (await hellotext.get("/v1/attribution/products?reference=MCO1-2", headers=AUTH)).json()
    assert [p["name"] for p in products] == ["Mate"]


async def test_profiles_page_in_creation_order(hellotext: Client) -> None:
    ids = [(await _post(hellotext, "/v1/profiles", {"first_name": str(n)}))[1]["id"] for n in range(3)]
    first = await (await hellotext.get("/v1/profiles?limit=2", headers=AUTH)).json()
    rest = await (await hellotext.get(f"/v1/profiles?limit=2&starting_after={ids[1]}", headers=AUTH)).json()
    assert [p["id"] for p in first + rest] == ids
