"""OAuth helpers shared by the OAuth tests: drive the authorization form and the token endpoint."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from yarl import URL

from tests.sandboxes.mercadolibre.conftest import CLIENT_ID, REDIRECT, SECRET, SELLER

AUTH = "/auth.mercadolibre.com.ar/authorization"
LOGIN = f"test_user_{SELLER}@testuser.com"


def auth_params(**extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "state": "st-1", **extra}


async def authorize(client: TestClient[Any, Any], login: str = LOGIN, **extra: str) -> URL:
    form = {**auth_params(**extra), "login": login, "decision": "allow"}
    response = await client.post(AUTH, data=form, allow_redirects=False)
    assert response.status == 302, await response.text()
    return URL(response.headers["Location"])


async def exchange(client: TestClient[Any, Any], code: str, **extra: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "code": code,
        "redirect_uri": REDIRECT,
        **extra,
    }
    return await client.post("/oauth/token", data=form)


async def refresh(client: TestClient[Any, Any], token: str) -> Any:
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": SECRET, "refresh_token": token}
    return await client.post("/oauth/token", data=form)


def invalid_grant(description: str) -> dict[str, Any]:
    return {
        "message": description,
        "error_description": description,
        "error": "invalid_grant",
        "status": 400,
        "cause": [],
    }


USED_CODE = "the authorization code is invalid, expired or was already used"
USED_REFRESH = "the refresh token is invalid, expired, revoked or was already used"
