"""Production refuses what makes it forgeable, and its pages are https-only; each business signs with its own keys.

`MELI_ENVIRONMENT=production` used to start with a 1-character signing key, the sample client id and http
public/redirect URLs (cookies then lacked Secure), and one key signed every business's sessions.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.clock import utcnow
from worker.connect.signing import Signer, derive_key
from worker.context import AppContext, app_context
from worker.errors import ConfigError
from worker.settings import Settings, load_settings
from worker.store.businesses import get_business
from worker.web.app import create_app
from worker.web.pages.sessions import SESSION_COOKIE, SESSION_TTL

STRONG = secrets.token_urlsafe(48)
FERNET = "q0wPsdSVjSfL3Fj7hcmYhNqBqDXUWbW5wyUvYq7Z6Tk="
PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://meli@db.internal:5432/meli",
    "ml_client_id": "8412935502763124",
    "ml_client_secret": "a-real-looking-client-secret",
    "secret_key": STRONG,
    "token_encryption_keys": FERNET,
    "public_base_url": "https://events.example.com",
    "ml_redirect_uri": "https://events.example.com/oauth/callback",
}


def production(**changes: object) -> Settings:
    return load_settings(_env_file=None, **(PRODUCTION | changes))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"secret_key": "x"}, "MELI_SECRET_KEY must be 32+ random bytes (`meli keygen --signing`)"),
        ({"secret_key": "ab" * 20}, "MELI_SECRET_KEY must be 32+ random bytes (`meli keygen --signing`)"),
        ({"ml_client_id": "1234567890123456"}, "MELI_ML_CLIENT_ID is the sample id"),
        ({"public_base_url": "http://events.example.com"}, "MELI_PUBLIC_BASE_URL is not an https URL"),
        ({"ml_redirect_uri": "http://events.example.com/cb"}, "MELI_ML_REDIRECT_URI is not an https URL"),
    ],
    ids=["one-character-key", "repetitive-key", "sample-client-id", "http-public-url", "http-redirect-uri"],
)
def test_production_refuses_to_start(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        production(**changes)

    assert str(refused.value) == f"refusing to start in production: {problem}"


def test_production_starts_with_strong_settings() -> None:
    assert production().https_only


async def test_in_production_cookies_are_secure_and_pages_ask_for_hsts(
    settings: Settings, tenants: tuple[Tenant, Tenant]
) -> None:
    https = settings.model_copy(update={"environment": "production", "public_base_url": "https://events.example.com"})
    async with app_context(https) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            page = await client.get("/connect", params={"token": tenants[0].connect_token(https)})

    assert page.status == 200
    assert "Secure" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


async def test_a_session_signed_with_the_shared_key_or_another_business_key_is_refused(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants
    secret = context.settings.secret_key.get_secret_value()
    claims = {"sub": str(alfa.business_id), "sid": "s" * 32, "acc": [alfa.account_id], "own": True}
    shared = Signer(secret, "session").sign(claims, now=utcnow(), ttl=SESSION_TTL)  # one key for everyone
    beta_business = await get_business(context.db, beta.business_id)
    assert beta_business is not None
    beta_key = Signer(secret, "session", f"{beta.business_id}:{beta_business.signing_salt}", kid=str(alfa.business_id))
    crossed = beta_key.sign(claims, now=utcnow(), ttl=timedelta(hours=1))  # beta's key, naming alfa

    answers = [
        (await client.get(f"/accounts/{alfa.account_id}", cookies={SESSION_COOKIE: cookie})).status
        for cookie in (shared, crossed, alfa.session)
    ]

    assert answers == [401, 401, 200]
    assert derive_key(secret, "session") != derive_key(secret, f"session:{alfa.business_id}:x")
