"""OAuth state: authorization codes, access tokens and single-use refresh tokens.

Times here are the injected wall clock (seconds), not simulated time: expiry is about the integration's
real behaviour. Rules mirrored from docs/mercadolibre-api.md §1: codes are single use and expire (`code_ttl_s`); refresh
tokens are single use, bound to their client, and only the latest one issued to a (seller, client) works;
revoking a seller kills all its codes and tokens (a new authorization is needed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandboxes.mercadolibre.config import SandboxConfig
from sandboxes.mercadolibre.errors import OAuthError

SCOPE = "offline_access read write"
SCOPES = frozenset(SCOPE.split())


@dataclass(slots=True)
class Grant:
    user_id: int
    client_id: str
    expires_at: float
    generation: int


@dataclass(slots=True)
class Code:
    grant: Grant
    redirect_uri: str
    challenge: str | None
    method: str | None


def invalid_grant(description: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", description)


def invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


def pkce_matches(verifier: str, challenge: str, method: str | None) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(verifier, challenge)


class TokenStore:
    def __init__(self, config: SandboxConfig, clock: Callable[[], float]) -> None:
        self.config, self.clock = config, clock
        self._codes: dict[str, Code] = {}
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._latest_refresh: dict[tuple[int, str], str] = {}
        self._generation: dict[int, int] = {}

    # --- hot path ---------------------------------------------------------------------------------------
    def user_for(self, access_token: str) -> int | None:
        grant = self._access.get(access_token)
        if grant is None or not self._alive(grant):
            return None
        return grant.user_id

    def _alive(self, grant: Grant) -> bool:
        return grant.expires_at > self.clock() and grant.generation == self._generation.get(grant.user_id, 0)

    # --- codes and grants --------------------------------------------------------------------------------
    def issue_code(self, user_id: int, redirect_uri: str, challenge: str | None, method: str | None) -> str:
        code = f"TG-{secrets.token_hex(12)}-{user_id}"
        grant = self._grant(user_id, self.config.code_ttl_s)
        self._codes[code] = Code(grant, redirect_uri, challenge, method)
        return code

    def exchange_code(self, form: Mapping[str, str]) -> dict[str, Any]:
        code_text, redirect_uri = _required(form, "code"), _required(form, "redirect_uri")
        code = self._codes.pop(code_text, None)
        if code is None:
            raise invalid_grant("the authorization code is invalid, expired or was already used")
        if not self._alive(code.grant):
            raise invalid_grant("the authorization code is invalid, expired or was already used")
        if code.redirect_uri != redirect_uri:
            raise invalid_grant("redirect_uri does not match the one of the authorization request")
        if code.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier or not pkce_matches(verifier, code.challenge, code.method):
                raise invalid_grant("code_verifier does not match the code_challenge")
        return self._token_pair(code.grant.user_id)

    def refresh(self, form: Mapping[str, str]) -> dict[str, Any]:
        token = _required(form, "refresh_token")
        grant = self._refresh.pop(token, None)
        if grant is None or grant.client_id != self.config.client_id or not self._alive(grant):
            raise invalid_grant("the refresh token is invalid, expired, revoked or was already used")
        return self._token_pair(grant.user_id)

    def issue_pair(self, user_id: int) -> dict[str, Any]:
        """A fresh token pair without the browser dance (control API convenience)."""
        return self._token_pair(user_id)

    def revoke(self, user_id: int) -> None:
        self._generation[user_id] = self._generation.get(user_id, 0) + 1

    def expire_access_tokens(self) -> int:
        now = self.clock()
        count = 0
        for grant in self._access.values():
            if grant.expires_at > now:
                grant.expires_at = now
                count += 1
        return count

    def _grant(self, user_id: int, ttl: float) -> Grant:
        generation = self._generation.get(user_id, 0)
        return Grant(user_id, self.config.client_id, self.clock() + ttl, generation)

    def _token_pair(self, user_id: int) -> dict[str, Any]:
        client_id = self.config.client_id
        stamp = time.strftime("%m%d%H", time.gmtime(self.clock()))
        access = f"APP_USR-{client_id}-{stamp}-{secrets.token_hex(16)}-{user_id}"
        refresh = f"TG-{secrets.token_hex(12)}-{user_id}"
        self._access[access] = self._grant(user_id, self.config.access_token_ttl_s)
        old = self._latest_refresh.pop((user_id, client_id), None)
        if old is not None:
            self._refresh.pop(old, None)
        self._refresh[refresh] = self._grant(user_id, self.config.refresh_token_ttl_s)
        self._latest_refresh[(user_id, client_id)] = refresh
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(self.config.access_token_ttl_s),
            "scope": SCOPE,
            "user_id": user_id,
            "refresh_token": refresh,
        }


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise invalid_request(f"missing required parameter: {name}")
    return value
