"""Rate limits (429 + Retry-After), random 429/5xx, latency and timeouts; control API stays clean."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import Faults, SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    SELLER,
    SELLER_2,
    FakeClock,
    MakeClient,
    bearer,
    create_order,
    ml_error,
    token_for,
    transition,
)
from tests.sandboxes.mercadolibre.story import CLAIM, ORDER, PAYMENT, SHIPMENT

TOO_MANY = ml_error(429, "too_many_requests", "Too Many Requests")


def faulty(**faults: float) -> SandboxConfig:
    return SandboxConfig(sellers=2, orders=0, faults=Faults(**faults))


async def test_app_budget_answers_429_with_retry_after(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = await make_client(faulty(app_rps=2), clock)
    headers = bearer(await token_for(client))

    statuses = [(await client.get("/users/me", headers=headers)).status for _ in range(2)]
    limited = await client.get("/users/me", headers=headers)
    clock.advance(0.5)
    refilled = await client.get("/users/me", headers=headers)

    assert statuses == [200, 200]
    assert (limited.status, limited.headers["Retry-After"], await limited.json()) == (429, "1", TOO_MANY)
    assert refilled.status == 200


async def test_retry_after_rounds_up_the_wait(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = await make_client(faulty(app_rps=0.25), clock)

    await client.get(f"/users/{SELLER}")
    limited = await client.get(f"/users/{SELLER}")

    assert (limited.status, limited.headers["Retry-After"]) == (429, "4")


async def test_seller_budget_is_per_seller(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = await make_client(faulty(seller_rps=1), clock)
    first, second = bearer(await token_for(client, SELLER)), bearer(await token_for(client, SELLER_2))

    ok = await client.get("/users/me", headers=first)
    limited = await client.get("/users/me", headers=first)
    other = await client.get("/users/me", headers=second)

    assert (ok.status, limited.status, other.status) == (200, 429, 200)
    log = await (await client.get("/_sandbox/requests", params={"status": "429"})).json()
    assert [(r["path"], r["seller_id"]) for r in log["requests"]] == [("/users/me", SELLER)]


async def test_random_429(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_429=1.0))

    response = await client.get(f"/users/{SELLER}")

    assert (response.status, response.headers["Retry-After"], await response.json()) == (429, "1", TOO_MANY)


async def test_token_endpoint_429_is_local_rate_limited(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_429=1.0))

    response = await client.post("/oauth/token", data={"grant_type": "refresh_token"})

    description = "too many requests, retry later"
    assert (response.status, await response.json()) == (
        429,
        {
            "message": description,
            "error_description": description,
            "error": "local_rate_limited",
            "status": 429,
            "cause": [],
        },
    )


async def test_random_5xx_is_ml_style(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_5xx=1.0))
    bodies = {
        500: ml_error(500, "internal_server_error", "Internal Server Error"),
        502: ml_error(502, "bad_gateway", "Bad Gateway"),
        503: ml_error(503, "service_not_available", "Service not available"),
    }

    responses = [await client.get(f"/users/{SELLER}") for _ in range(12)]

    seen = {r.status for r in responses}
    assert seen == {500, 502, 503}
    for response in responses:
        assert await response.json() == bodies[response.status]


async def test_faults_can_be_flipped_at_run_time(client: TestClient[Any, Any]) -> None:
    await client.put("/_sandbox/faults", json={"fault_5xx": 1.0})
    broken = await client.get(f"/users/{SELLER}")
    await client.put("/_sandbox/faults", json={"fault_5xx": 0})
    healed = await client.get(f"/users/{SELLER}")

    assert (broken.status >= 500, healed.status) == (True, 200)


async def test_latency_is_added(make_client: MakeClient) -> None:
    client = await make_client(faulty(latency_ms=120))

    started = time.monotonic()
    response = await client.get(f"/users/{SELLER}")

    assert response.status == 200
    assert time.monotonic() - started >= 0.12


async def test_timeout_hangs_longer_than_a_client_timeout(make_client: MakeClient) -> None:
    client = await make_client(faulty(timeout_rate=1.0, timeout_s=0.3))

    with pytest.raises(asyncio.TimeoutError):
        await client.get(f"/users/{SELLER}", timeout=aiohttp.ClientTimeout(total=0.1))
    patient = await client.get(f"/users/{SELLER}")

    assert (patient.status, await patient.json()) == (504, ml_error(504, "gateway_timeout", "Gateway Timeout"))


async def test_control_api_and_auth_page_have_no_faults(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_5xx=1.0, app_rps=0.001))

    control = [await client.get("/_sandbox/faults") for _ in range(3)]
    page = await client.get("/auth.mercadolibre.com/authorization")

    assert [r.status for r in control] == [200, 200, 200]
    assert page.status == 400  # the page's own validation, not a fault


RELATED_FAULTS = {
    404: ml_error(404, "not_found", "Resource not found"),
    403: ml_error(403, "forbidden", "caller is not allowed to access this resource"),
}
CLAIM_FAULTS = {
    404: ml_error(404, "business_logic_error", "Resource not found"),
    403: ml_error(403, "forbidden_error", "You don't have permission to access the resource"),
}


async def test_related_documents_fail_but_never_the_order(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_related=1.0))
    await create_order(client)
    await transition(client, ORDER, "pay")
    await transition(client, ORDER, "open_claim", type="return")
    headers = bearer(await token_for(client))
    related = [
        (f"/shipments/{SHIPMENT}", RELATED_FAULTS),
        (f"/shipments/{SHIPMENT}/history", RELATED_FAULTS),
        (f"/shipments/{SHIPMENT}/items", RELATED_FAULTS),
        (f"/v1/payments/{PAYMENT}", RELATED_FAULTS),
        (f"/collections/{PAYMENT}", RELATED_FAULTS),
        (f"/post-purchase/v1/claims/search?order_id={ORDER}", CLAIM_FAULTS),
        (f"/post-purchase/v1/claims/{CLAIM}", CLAIM_FAULTS),
        (f"/post-purchase/v2/claims/{CLAIM}/returns", CLAIM_FAULTS),
    ]

    order = await client.get(f"/orders/{ORDER}", headers=headers)
    others = [await client.get(path, headers=headers) for path in ("/users/me", f"/marketplace/orders/{ORDER}")]
    answers = [(await client.get(path, headers=headers), bodies) for path, bodies in related]

    assert (order.status, [r.status for r in others]) == (200, [200, 200])
    for response, bodies in answers:
        assert response.status in (403, 404)
        assert await response.json() == bodies[response.status]


async def test_a_related_document_answers_again_on_a_later_request(make_client: MakeClient) -> None:
    client = await make_client(faulty(fault_related=0.5))
    await create_order(client)
    headers = bearer(await token_for(client))

    statuses = [(await client.get(f"/shipments/{SHIPMENT}", headers=headers)).status for _ in range(20)]

    assert statuses == [  # drawn per request from the seeded fault RNG: the same every run
        *[200] * 6,
        404,
        *[200] * 8,
        403,
        403,
        403,
        404,
        404,
    ]
