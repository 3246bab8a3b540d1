"""REST API: users, and the ML-style errors of every endpoint (401, 403, 404, 400, 405)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.api_scenario import CLAIM, ORDER, PAYMENT, SHIPMENT, shipped_order_with_claim
from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER, SELLER_2, bearer, ml_error, token_for


async def test_users_me_is_the_private_profile(client: TestClient[Any, Any]) -> None:
    body = await (await client.get("/users/me", headers=bearer(await token_for(client)))).json()

    assert (body["id"], body["nickname"], body["site_id"], body["country_id"]) == (
        SELLER,
        "MEGASTOREMLA01",
        "MLA",
        "AR",
    )
    assert body["email"] == f"test_user_{SELLER}@testuser.com"
    assert (body["first_name"], body["last_name"]) == ("Diego", "Morales")


async def test_users_by_id_is_public_and_has_no_private_data(client: TestClient[Any, Any]) -> None:
    response = await client.get(f"/users/{FIRST_BUYER}")

    assert await response.json() == {
        "id": FIRST_BUYER,
        "nickname": "ANATORR0",
        "registration_date": "2019-03-07T09:00:00.000-03:00",
        "country_id": "AR",
        "address": {"city": None, "state": None},
        "user_type": "normal",
        "tags": ["normal"],
        "site_id": "MLA",
        "permalink": "http://perfil.mercadolibre.com.ar/ANATORR0",
        "seller_reputation": {"level_id": None, "power_seller_status": None, "transactions": {"total": 0}},
        "status": {"site_status": "active"},
    }


FORBIDDEN = ml_error(403, "forbidden", "caller is not allowed to access this resource")


@pytest.mark.parametrize(
    ("path", "not_found_message"),
    [
        ("/orders/{}", "Order {} not found"),
        ("/shipments/{}", "Shipment {} not found"),
        ("/shipments/{}/history", "Shipment {} not found"),
        ("/shipments/{}/items", "Shipment {} not found"),
        ("/collections/{}", "Payment {} not found"),
        ("/v1/payments/{}", "Payment {} not found"),
    ],
)
async def test_errors_by_id(client: TestClient[Any, Any], path: str, not_found_message: str) -> None:
    own = await shipped_order_with_claim(client)
    other = bearer(await token_for(client, SELLER_2))
    ids = {"/orders/{}": ORDER, "/collections/{}": PAYMENT, "/v1/payments/{}": PAYMENT}
    real = ids.get(path, SHIPMENT)

    unknown = await client.get(path.format(123), headers=own)
    foreign = await client.get(path.format(real), headers=other)
    no_token = await client.get(path.format(real))
    bad_token = await client.get(path.format(real), headers=bearer("APP_USR-nope"))
    bad_id = await client.get(path.format("abc"), headers=own)

    assert (unknown.status, await unknown.json()) == (404, ml_error(404, "not_found", not_found_message.format(123)))
    assert (foreign.status, await foreign.json()) == (403, FORBIDDEN)
    assert (no_token.status, await no_token.json()) == (
        401,
        ml_error(401, "unauthorized", "authorization value not present"),
    )
    assert (bad_token.status, await bad_token.json()) == (401, ml_error(401, "not_found", "invalid_token"))
    assert bad_id.status == 400
    assert (await bad_id.json())["error"] == "bad_request"


async def test_claim_errors_use_the_claims_api_codes(client: TestClient[Any, Any]) -> None:
    await shipped_order_with_claim(client)
    other = bearer(await token_for(client, SELLER_2))

    unknown = await client.get("/post-purchase/v1/claims/1", headers=other)
    foreign = await client.get(f"/post-purchase/v1/claims/{CLAIM}", headers=other)

    assert (unknown.status, await unknown.json()) == (404, ml_error(404, "business_logic_error", "Resource not found"))
    assert (foreign.status, await foreign.json()) == (
        403,
        ml_error(403, "forbidden_error", "You don't have permission to access the resource"),
    )


async def test_user_errors(client: TestClient[Any, Any]) -> None:
    unknown = await client.get("/users/42")
    bad_token = await client.get(f"/users/{SELLER}", headers=bearer("nope"))
    no_token_me = await client.get("/users/me")

    assert (unknown.status, await unknown.json()) == (404, ml_error(404, "not_found", "User 42 not found"))
    assert bad_token.status == 401
    assert no_token_me.status == 401


async def test_unknown_route_and_wrong_method_are_ml_style(client: TestClient[Any, Any]) -> None:
    missing = await client.get("/items/MLA1")
    wrong_method = await client.delete(f"/orders/{ORDER}")

    assert (missing.status, await missing.json()) == (404, ml_error(404, "not_found", "resource not found"))
    assert (wrong_method.status, await wrong_method.json()) == (
        405,
        ml_error(405, "method_not_allowed", "method not allowed"),
    )
