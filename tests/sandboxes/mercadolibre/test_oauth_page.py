"""OAuth: the authorization page (HTML form, validation, allow/deny) and the code grant with PKCE."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    CLIENT_ID,
    REDIRECT,
    SELLER,
    SELLER_2,
    FakeClock,
    MakeClient,
    bearer,
    ml_error,
)
from tests.sandboxes.mercadolibre.oauth_helpers import (
    AUTH,
    LOGIN,
    USED_CODE,
    auth_params,
    authorize,
    exchange,
    invalid_grant,
)


async def test_authorization_page_is_a_plain_accessible_form(client: TestClient[Any, Any]) -> None:
    response = await client.get(AUTH, params=auth_params())
    html = await response.text()

    assert response.status == 200
    assert response.content_type == "text/html"
    assert '<form method="post" action="/auth.mercadolibre.com.ar/authorization">' in html
    assert '<label for="login">Seller login</label>' in html
    assert f'value="{LOGIN}"' in html  # the first MLA seller is proposed on the MLA host
    assert '<button type="submit" name="decision" value="allow">Allow</button>' in html
    assert '<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>' in html
    assert '<input type="hidden" name="state" value="st-1">' in html
    assert "<script" not in html


async def test_each_site_host_proposes_its_own_seller(client: TestClient[Any, Any]) -> None:
    html = await (await client.get("/auth.mercadolivre.com.br/authorization", params=auth_params())).text()

    assert 'id="login" name="login" type="text" list="sellers" autocomplete="username" required ' in html
    assert f'value="test_user_{SELLER_2}@testuser.com"' in html


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"client_id": "999"}, "The application (client_id) is not valid."),
        ({"redirect_uri": REDIRECT + "/other"}, "The redirect_uri does not match the application&#x27;s registered"),
        ({"response_type": "token"}, "response_type must be &#x27;code&#x27;."),
        ({"code_challenge": "abc", "code_challenge_method": "S512"}, "code_challenge_method must be S256 or plain"),
    ],
)
async def test_bad_authorization_request_shows_an_error_page_not_a_redirect(
    client: TestClient[Any, Any], override: dict[str, str], message: str
) -> None:
    response = await client.get(AUTH, params={**auth_params(), **override}, allow_redirects=False)

    assert response.status == 400
    assert "Location" not in response.headers
    assert message in await response.text()


async def test_unknown_auth_host_is_404(client: TestClient[Any, Any]) -> None:
    response = await client.get("/auth.example.com/authorization", params=auth_params())

    assert (response.status, await response.json()) == (404, ml_error(404, "not_found", "resource not found"))


async def test_allow_redirects_with_code_and_state(client: TestClient[Any, Any]) -> None:
    location = await authorize(client)

    assert str(location.with_query(None)) == REDIRECT
    assert location.query["state"] == "st-1"
    assert re.fullmatch(rf"TG-[0-9a-f]{{24}}-{SELLER}", location.query["code"])


async def test_deny_redirects_with_access_denied(client: TestClient[Any, Any]) -> None:
    form = {**auth_params(), "login": "", "decision": "deny"}
    response = await client.post(AUTH, data=form, allow_redirects=False)

    assert response.status == 302
    assert response.headers["Location"] == f"{REDIRECT}?error=access_denied&state=st-1"


async def test_unknown_login_shows_the_form_again(client: TestClient[Any, Any]) -> None:
    form = {**auth_params(), "login": "nobody@example.com", "decision": "allow"}
    response = await client.post(AUTH, data=form, allow_redirects=False)

    assert response.status == 400
    assert "No test seller with login &#x27;nobody@example.com&#x27;." in await response.text()


async def test_login_by_nickname_or_id_works(client: TestClient[Any, Any]) -> None:
    by_id = await authorize(client, login=str(SELLER_2))

    assert by_id.query["code"].endswith(f"-{SELLER_2}")


async def test_code_exchange_returns_an_ml_token_pair(client: TestClient[Any, Any]) -> None:
    code = (await authorize(client)).query["code"]

    response = await exchange(client, code)
    body = await response.json()

    assert response.status == 200
    assert sorted(body) == ["access_token", "expires_in", "refresh_token", "scope", "token_type", "user_id"]
    assert re.fullmatch(rf"APP_USR-{CLIENT_ID}-\d{{6}}-[0-9a-f]{{32}}-{SELLER}", body["access_token"])
    assert re.fullmatch(rf"TG-[0-9a-f]{{24}}-{SELLER}", body["refresh_token"])
    assert (body["token_type"], body["expires_in"], body["scope"], body["user_id"]) == (
        "bearer",
        21600,
        "offline_access read write",
        SELLER,
    )
    me = await client.get("/users/me", headers=bearer(body["access_token"]))
    assert (await me.json())["id"] == SELLER


async def test_code_is_single_use(client: TestClient[Any, Any]) -> None:
    code = (await authorize(client)).query["code"]
    first = await exchange(client, code)

    second = await exchange(client, code)

    assert first.status == 200
    assert (second.status, await second.json()) == (400, invalid_grant(USED_CODE))


async def test_code_expires(make_client: MakeClient) -> None:
    clock = FakeClock()
    client = await make_client(SandboxConfig(sellers=1, orders=0, code_ttl_s=600), clock)
    code = (await authorize(client)).query["code"]
    clock.advance(601)

    response = await exchange(client, code)

    assert (response.status, await response.json()) == (400, invalid_grant(USED_CODE))


async def test_redirect_uri_must_match_at_exchange(client: TestClient[Any, Any]) -> None:
    code = (await authorize(client)).query["code"]

    response = await exchange(client, code, redirect_uri="http://127.0.0.1:8080/elsewhere")

    assert (response.status, await response.json()) == (
        400,
        invalid_grant("redirect_uri does not match the one of the authorization request"),
    )


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


async def test_pkce_s256_verifier_is_checked(client: TestClient[Any, Any]) -> None:
    good = (await authorize(client, code_challenge=s256(VERIFIER), code_challenge_method="S256")).query["code"]
    bad = (await authorize(client, code_challenge=s256(VERIFIER), code_challenge_method="S256")).query["code"]
    missing = (await authorize(client, code_challenge=s256(VERIFIER), code_challenge_method="S256")).query["code"]

    ok = await exchange(client, good, code_verifier=VERIFIER)
    mismatch = await exchange(client, bad, code_verifier=VERIFIER + "x")
    absent = await exchange(client, missing)

    assert ok.status == 200
    expected = invalid_grant("code_verifier does not match the code_challenge")
    assert (mismatch.status, await mismatch.json()) == (400, expected)
    assert (absent.status, await absent.json()) == (400, expected)


async def test_pkce_plain_is_supported(client: TestClient[Any, Any]) -> None:
    code = (await authorize(client, code_challenge=VERIFIER, code_challenge_method="plain")).query["code"]

    assert (await exchange(client, code, code_verifier=VERIFIER)).status == 200


async def test_pkce_required_app_refuses_authorization_without_challenge(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=1, orders=0, pkce_required=True))

    response = await client.get(AUTH, params=auth_params())

    assert response.status == 400
    assert "This application requires PKCE (code_challenge)." in await response.text()
