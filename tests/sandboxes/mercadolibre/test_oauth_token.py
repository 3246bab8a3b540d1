"""OAuth: token endpoint errors, single-use refresh tokens, expiry, revoke."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    CLIENT_ID,
    SECRET,
    SELLER,
    SELLER_2,
    FakeClock,
    MakeClient,
    bearer,
    ml_error,
)
from tests.sandboxes.mercadolibre.oauth_helpers import (
    USED_REFRESH,
    authorize,
    exchange,
    invalid_grant,
    refresh,
)


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({}, 400, "invalid_request", "missing required parameter: grant_type"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "grant_type 'password' is not supported"),
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID},
            400,
            "invalid_request",
            "missing required parameter: client_id or client_secret",
        ),
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": "wrong"},
            401,
            "invalid_client",
            "invalid client_id or client_secret",
        ),
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": SECRET},
            400,
            "invalid_request",
            "missing required parameter: refresh_token",
        ),
        (
            {"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": SECRET, "code": "x"},
            400,
            "invalid_request",
            "missing required parameter: redirect_uri",
        ),
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": SECRET, "scope": "admin"},
            400,
            "invalid_scope",
            "scope must be offline_access, read and/or write",
        ),
    ],
)
async def test_token_endpoint_errors(
    client: TestClient[Any, Any], form: dict[str, str], status: int, error: str, description: str
) -> None:
    response = await client.post("/oauth/token", data=form)

    assert response.status == status
    assert await response.json() == {
        "message": description,
        "error_description": description,
        "error": error,
        "status": status,
        "cause": [],
    }


async def test_token_endpoint_wants_a_form_body(client: TestClient[Any, Any]) -> None:
    response = await client.post("/oauth/token", json={"grant_type": "refresh_token"})

    assert response.status == 400
    assert (await response.json())["error"] == "invalid_request"


async def test_refresh_rotates_and_the_old_refresh_token_is_dead(client: TestClient[Any, Any]) -> None:
    code = (await authorize(client)).query["code"]
    first = await (await exchange(client, code)).json()

    rotated = await refresh(client, first["refresh_token"])
    reused = await refresh(client, first["refresh_token"])

    second = await rotated.json()
    assert rotated.status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert (reused.status, await reused.json()) == (400, invalid_grant(USED_REFRESH))
    assert (await refresh(client, second["refresh_token"])).status == 200


async def test_only_the_latest_refresh_token_works(client: TestClient[Any, Any]) -> None:
    older = await (await exchange(client, (await authorize(client)).query["code"])).json()
    newer = await (await exchange(client, (await authorize(client)).query["code"])).json()

    stale = await refresh(client, older["refresh_token"])

    assert (stale.status, await stale.json()) == (400, invalid_grant(USED_REFRESH))
    assert (await refresh(client, newer["refresh_token"])).status == 200


async def test_access_token_expires_and_refresh_brings_it_back(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = await make_client(SandboxConfig(sellers=1, orders=0, access_token_ttl_s=60), clock)
    pair = await (await exchange(client, (await authorize(client)).query["code"])).json()
    clock.advance(61)

    expired = await client.get("/users/me", headers=bearer(pair["access_token"]))
    renewed = await (await refresh(client, pair["refresh_token"])).json()
    again = await client.get("/users/me", headers=bearer(renewed["access_token"]))

    assert pair["expires_in"] == 60
    assert (expired.status, await expired.json()) == (401, ml_error(401, "not_found", "invalid_token"))
    assert again.status == 200


async def test_expire_all_access_tokens_now(client: TestClient[Any, Any]) -> None:
    pair = await (await exchange(client, (await authorize(client)).query["code"])).json()

    expired = await client.post("/_sandbox/tokens/expire")
    response = await client.get("/users/me", headers=bearer(pair["access_token"]))

    assert await expired.json() == {"expired": 1}
    assert response.status == 401
    assert (await refresh(client, pair["refresh_token"])).status == 200


async def test_revoke_kills_access_and_refresh_tokens_until_reauthorized(client: TestClient[Any, Any]) -> None:
    pair = await (await exchange(client, (await authorize(client)).query["code"])).json()
    other = await (await client.post(f"/_sandbox/sellers/{SELLER_2}/tokens")).json()

    revoked = await client.post(f"/_sandbox/sellers/{SELLER}/revoke")

    assert await revoked.json() == {"seller_id": SELLER, "revoked": True}
    assert (await client.get("/users/me", headers=bearer(pair["access_token"]))).status == 401
    dead_refresh = await refresh(client, pair["refresh_token"])
    assert (dead_refresh.status, await dead_refresh.json()) == (400, invalid_grant(USED_REFRESH))
    assert (await client.get("/users/me", headers=bearer(other["access_token"]))).status == 200
    fresh = await (await exchange(client, (await authorize(client)).query["code"])).json()
    assert (await client.get("/users/me", headers=bearer(fresh["access_token"]))).status == 200


async def test_token_calls_are_counted_in_the_request_log(client: TestClient[Any, Any]) -> None:
    pair = await (await exchange(client, (await authorize(client)).query["code"])).json()
    await refresh(client, pair["refresh_token"])
    await refresh(client, pair["refresh_token"])

    log = await (await client.get("/_sandbox/requests", params={"path_prefix": "/oauth/token"})).json()

    assert log["total"] == 3
    assert [(r["method"], r["path"], r["status"]) for r in log["requests"]] == [
        ("POST", "/oauth/token", 200),
        ("POST", "/oauth/token", 200),
        ("POST", "/oauth/token", 400),
    ]
