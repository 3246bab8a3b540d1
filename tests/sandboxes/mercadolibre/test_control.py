"""Control API: sellers, orders and scenarios, transitions, advance, faults, driver, logs, history."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    FIRST_BUYER,
    SELLER,
    SELLER_2,
    MakeClient,
    bearer,
    create_order,
    ml_error,
    sandbox_of,
    token_for,
    transition,
)

ORDER = 2000010000000000
SELLERS = [
    {
        "id": SELLER,
        "nickname": "MEGASTOREMLA01",
        "site_id": "MLA",
        "login": f"test_user_{SELLER}@testuser.com",
        "currency_id": "ARS",
        "auth_host": "auth.mercadolibre.com.ar",
        "global_selling": False,
    },
    {
        "id": SELLER_2,
        "nickname": "MEGASTOREMLB02",
        "site_id": "MLB",
        "login": f"test_user_{SELLER_2}@testuser.com",
        "currency_id": "BRL",
        "auth_host": "auth.mercadolivre.com.br",
        "global_selling": False,
    },
]


async def test_summary_and_sellers(client: TestClient[Any, Any]) -> None:
    summary = await (await client.get("/_sandbox")).json()
    sellers = await (await client.get("/_sandbox/sellers")).json()

    base = str(client.make_url("")).rstrip("/")
    assert summary == {
        "api_base_url": base,
        "auth_base_url": base,
        "control_url": f"{base}/_sandbox",
        "client_id": "1234567890123456",
        "redirect_uris": ["http://127.0.0.1:8080/oauth/callback"],
        "callback_url": None,
        "sim_now": "2026-03-02T12:00:00.000Z",
        "pending_steps": 0,
        "rate": 0.0,
        "sellers": SELLERS,
    }
    assert sellers == {"sellers": SELLERS}


async def test_create_seller(client: TestClient[Any, Any]) -> None:
    created = await client.post("/_sandbox/sellers", json={"site_id": "MCO"})
    bad = await client.post("/_sandbox/sellers", json={"site_id": "XXX"})

    body = await created.json()
    assert created.status == 201
    assert (body["id"], body["site_id"], body["currency_id"], body["auth_host"]) == (
        241530002,
        "MCO",
        "COP",
        "auth.mercadolibre.com.co",
    )
    assert (bad.status, await bad.json()) == (400, ml_error(400, "bad_request", "unknown site_id: XXX"))


async def test_create_order_with_a_scenario_plans_the_rest(client: TestClient[Any, Any]) -> None:
    created = await create_order(client, scenario="delivered")

    advanced = await (await client.post("/_sandbox/advance", json={"steps": "all"})).json()
    order = await (await client.get(f"/orders/{ORDER}", headers=bearer(await token_for(client)))).json()

    # pay, then drop off's path: ready_to_print, printed, dropped_off, shipped/out_for_delivery, delivered
    assert (created["order_ids"], created["scenario"], created["planned_steps"]) == ([ORDER], "delivered", 6)
    assert (created["buyer_id"], created["created_at"]) == (FIRST_BUYER, "2026-03-02T12:01:00.000Z")
    assert (advanced["applied"], advanced["skipped"], advanced["pending_steps"]) == (6, 0, 0)
    assert (order["status"], order["tags"]) == ("paid", ["paid", "delivered"])


async def test_create_pack(client: TestClient[Any, Any]) -> None:
    created = await create_order(client, orders=3)
    headers = bearer(await token_for(client))

    items = await (await client.get(f"/shipments/{created['shipment_id']}/items", headers=headers)).json()
    orders = [await (await client.get(f"/orders/{oid}", headers=headers)).json() for oid in created["order_ids"]]

    assert created["order_ids"] == [ORDER, ORDER + 1, ORDER + 2]
    assert created["pack_id"] == 2000005000000000
    assert sorted({row["order_id"] for row in items}) == created["order_ids"]
    assert {(o["pack_id"], o["shipping"]["id"]) for o in orders} == {(created["pack_id"], created["shipment_id"])}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"seller_id": 1}, 404, "seller 1 not found"),
        ({}, 400, "seller_id is required"),
        ({"seller_id": SELLER, "scenario": "teleport"}, 400, None),
        ({"seller_id": SELLER, "orders": 9}, 400, "orders (pack size) must be between 1 and 5"),
        ({"seller_id": SELLER, "buyer_id": 5}, 400, "buyer_id must be one of the seller's buyers"),
        ({"seller_id": SELLER, "items": [{"unit_price": "-1"}]}, 400, "unit_price must be positive"),
    ],
)
async def test_create_order_errors(
    client: TestClient[Any, Any], body: dict[str, Any], status: int, message: str | None
) -> None:
    response = await client.post("/_sandbox/orders", json=body)

    payload = await response.json()
    assert (response.status, payload["status"], payload["cause"]) == (status, status, [])
    if message is not None:
        assert payload["message"] == message


async def test_malformed_json_body(client: TestClient[Any, Any]) -> None:
    response = await client.post("/_sandbox/orders", data=b"{nope", headers={"Content-Type": "application/json"})

    assert (response.status, await response.json()) == (400, ml_error(400, "bad_request", "the body is not valid JSON"))


async def test_transition_that_does_not_fit_is_409(client: TestClient[Any, Any]) -> None:
    await create_order(client)

    early = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "ship"})
    unknown_kind = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "fly"})
    unknown_order = await client.post("/_sandbox/orders/1/transitions", json={"kind": "pay"})

    assert (early.status, await early.json()) == (
        409,
        ml_error(409, "invalid_transition", "shipment 44010000000 cannot go pending -> shipped/out_for_delivery"),
    )
    assert unknown_kind.status == 400
    assert (unknown_order.status, await unknown_order.json()) == (
        404,
        ml_error(404, "not_found", "order 1 not found"),
    )


async def test_transition_reply_and_delay(client: TestClient[Any, Any]) -> None:
    await create_order(client)

    applied = await transition(client, ORDER, "pay", delay_s=3600)

    assert applied == {"step": "pay", "at": "2026-03-02T13:01:00.000Z", "order_ids": [ORDER], "skipped": None}


async def test_cancelled_order_accepts_nothing_more(client: TestClient[Any, Any]) -> None:
    await create_order(client)
    await transition(client, ORDER, "cancel")

    response = await client.post(f"/_sandbox/orders/{ORDER}/transitions", json={"kind": "pay"})

    assert (response.status, (await response.json())["message"]) == (
        409,
        f"order {ORDER} is cancelled and can no longer change",
    )


async def test_advance_in_steps(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=1, orders=3))
    pending = sandbox_of(client).engine.pending

    two = await (await client.post("/_sandbox/advance?steps=2")).json()
    verbose = await (await client.post("/_sandbox/advance?verbose=true", json={"steps": 1})).json()
    bad = await client.post("/_sandbox/advance", json={"steps": 0})

    assert (two["applied"], two["pending_steps"]) == (2, pending - 2)
    assert (verbose["applied"], len(verbose["steps"]), verbose["pending_steps"]) == (1, 1, pending - 3)
    assert (bad.status, await bad.json()) == (
        400,
        ml_error(400, "bad_request", 'steps must be a positive integer or "all"'),
    )


DEFAULT_FAULTS = {
    "fault_5xx": 0.0,
    "fault_429": 0.0,
    "fault_related": 0.0,
    "latency_ms": 0.0,
    "latency_jitter_ms": 0.0,
    "timeout_rate": 0.0,
    "timeout_s": 30.0,
    "duplicate_rate": 0.0,
    "late_rate": 0.0,
    "late_s": 300.0,
    "reorder_rate": 0.0,
    "app_rps": 0.0,
    "seller_rps": 0.0,
}


async def test_faults_read_and_partial_update(client: TestClient[Any, Any]) -> None:
    before = await (await client.get("/_sandbox/faults")).json()

    after = await (await client.put("/_sandbox/faults", json={"fault_5xx": 0.05, "app_rps": 100})).json()

    assert before == DEFAULT_FAULTS
    assert after == {**DEFAULT_FAULTS, "fault_5xx": 0.05, "app_rps": 100.0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"fault_5xx": 2}, "fault_5xx is a probability between 0 and 1"),
        ({"latency_ms": -1}, "latency_ms must not be negative"),
        ({"fault_429": "lots"}, "fault_429 must be a number"),
        ({"chaos": 1}, "unknown fault knobs: chaos"),
    ],
)
async def test_bad_fault_values_change_nothing(
    client: TestClient[Any, Any], body: dict[str, Any], message: str
) -> None:
    response = await client.put("/_sandbox/faults", json={"timeout_rate": 0.5, **body})

    assert (response.status, await response.json()) == (400, ml_error(400, "bad_request", message))
    assert await (await client.get("/_sandbox/faults")).json() == DEFAULT_FAULTS


async def test_driver_and_callback_settings(client: TestClient[Any, Any]) -> None:
    rate = await (await client.put("/_sandbox/driver", json={"rate": 12.5})).json()
    callback = await (await client.put("/_sandbox/callback", json={"url": "http://127.0.0.1:9/hook"})).json()
    bad_rate = await client.put("/_sandbox/driver", json={"rate": -1})
    bad_url = await client.put("/_sandbox/callback", json={"url": "ftp://x"})

    assert rate == {"rate": 12.5, "pending_steps": 0}
    assert callback == {"url": "http://127.0.0.1:9/hook"}
    assert (bad_rate.status, bad_url.status) == (400, 400)


async def test_request_log_filters_and_clear(client: TestClient[Any, Any]) -> None:
    headers = bearer(await token_for(client))
    await client.get("/users/me", headers=headers)
    await client.get("/orders/1", headers=headers)

    log = await (await client.get("/_sandbox/requests", params={"path_prefix": "/orders"})).json()
    by_seller = await (await client.get("/_sandbox/requests", params={"seller_id": str(SELLER)})).json()
    await client.delete("/_sandbox/requests")
    cleared = await (await client.get("/_sandbox/requests", params={"path_prefix": "/users"})).json()

    assert [(r["method"], r["path"], r["status"], r["seller_id"]) for r in log["requests"]] == [
        ("GET", "/orders/1", 404, SELLER)
    ]
    assert [r["path"] for r in by_seller["requests"]] == ["/users/me", "/orders/1"]
    assert cleared == {"total": 0, "requests": []}


async def test_history_lists_ground_truth_facts(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=[{"title": "x", "unit_price": "5", "quantity": 1}])
    await transition(client, ORDER, "pay")

    facts = (await (await client.get("/_sandbox/history", params={"seller_id": str(SELLER)})).json())["facts"]

    assert [(f["kind"], f["order_id"], f["amount"], f["detail"]) for f in facts] == [
        ("order_created", ORDER, "5.00", None),
        ("shipment_status", None, None, "pending"),
        ("payment_approved", ORDER, "5.00", None),
        ("shipment_status", None, None, "handling"),
    ]
