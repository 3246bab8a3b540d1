"""Mercado Libre's OAuth endpoints: the per-site authorization URL, the token endpoint and `/users/me`.

One async method per endpoint on the shared `aiohttp.ClientSession`, each with a timeout. HTTP failures go
through the project's one table (`connectors.http.classify`), plus ML's `invalid_grant`. Messages name the
call and the status only, never a token, code or secret.

It knows no settings and no store: it receives plain values, and the caller keeps the tokens it returns
(worker/tokens.py and worker/connect/flow.py store them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from connectors.errors import AuthError, PermanentError, RemoteError, TransientError
from connectors.http import classify as http_classify
from connectors.mercadolibre.constants import Site

TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)


@dataclass(frozen=True)
class TokenSet:
    """Plaintext tokens as they come from the token endpoint; only ever held in memory."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str = ""

    def __repr__(self) -> str:  # keep tokens out of tracebacks and logs
        return f"TokenSet(expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"


class InvalidGrant(AuthError):
    """The code or refresh token was refused: expired, already used or revoked. The seller must reconnect."""


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_in: int
    scope: str = ""
    user_id: int


class MlUser(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    nickname: str
    site_id: str


@dataclass(frozen=True)
class Granted:
    tokens: TokenSet
    user_id: int

    def __repr__(self) -> str:
        return f"Granted(user_id={self.user_id}, tokens={self.tokens!r})"


def classify(status: int, body: Any, what: str, retry_after: str | None) -> RemoteError:
    """ML's `invalid_grant` means "reconnect" and `invalid_client` a configuration error; every other answer
    goes through the shared status table."""
    code = body.get("error") if isinstance(body, dict) else None
    if code == "invalid_grant":
        return InvalidGrant(f"{what}: invalid_grant ({status})", status)
    if code == "invalid_client":  # our credentials, not the seller's: no reconnect will help
        return PermanentError(f"{what}: invalid_client ({status}); check MELI_ML_CLIENT_ID/SECRET", status)
    return http_classify(status, what, retry_after) or PermanentError(f"{what}: refused ({status})", status)


class MlOAuthClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        client_id: str,
        client_secret: SecretStr,
        redirect_uri: str,
        api_base_url: str,
        auth_base_url: str | None = None,
    ) -> None:
        """`auth_base_url` replaces ML's per-site sign-in hosts (a sandbox); None means ML's own."""
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._auth_base = auth_base_url.rstrip("/") if auth_base_url else None
        self._api_base = api_base_url.rstrip("/")

    def authorization_url(self, site: Site, state: str, code_challenge: str) -> str:
        endpoint = (
            f"{self._auth_base}/{site.auth_host}/authorization"
            if self._auth_base
            else f"https://{site.auth_host}/authorization"
        )
        url = prepare_grant_uri(
            endpoint,
            self._client_id,
            "code",
            self._redirect_uri,
            state=state,
            code_challenge=code_challenge,
            code_challenge_method="S256",
        )
        return str(url)

    async def exchange_code(self, code: str, code_verifier: str, *, now: datetime) -> Granted:
        form = {"grant_type": "authorization_code", "code": code, "code_verifier": code_verifier}
        return await self._token({**form, "redirect_uri": self._redirect_uri}, now)

    async def refresh(self, refresh_token: str, *, now: datetime) -> Granted:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token}, now)

    async def me(self, access_token: str) -> MlUser:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        body = await self._call("GET", "/users/me", headers=headers)
        try:
            return MlUser.model_validate(body)
        except ValidationError:
            raise PermanentError("Mercado Libre sent an unreadable /users/me answer") from None

    async def _token(self, form: dict[str, str], now: datetime) -> Granted:
        credentials = {"client_id": self._client_id, "client_secret": self._client_secret.get_secret_value()}
        headers = {"Accept": "application/json"}
        body = await self._call("POST", "/oauth/token", headers=headers, data=credentials | form)
        try:
            answer = TokenResponse.model_validate(body)
        except ValidationError:
            raise PermanentError("Mercado Libre sent an unreadable token answer") from None
        refresh = answer.refresh_token.get_secret_value() if answer.refresh_token else None
        expires_at = now + timedelta(seconds=answer.expires_in)
        tokens = TokenSet(answer.access_token.get_secret_value(), refresh, expires_at, answer.scope)
        return Granted(tokens, answer.user_id)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            async with self._http.request(method, self._api_base + path, timeout=TIMEOUT, **kwargs) as response:
                text = await response.text()
                status, retry_after = response.status, response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"cannot reach Mercado Libre {path}: {type(exc).__name__}") from None
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if status >= 400:
            raise classify(status, body, f"Mercado Libre {path}", retry_after)
        if body is None:
            raise TransientError(f"Mercado Libre sent a non-JSON answer on {path}", status)
        return body
