"""OAuth `state` with PKCE, kept in Redis: single use, 10 minutes, bound to a business and to a browser.

`begin` makes a random state and PKCE verifier (authlib), stores what the callback needs under the state and
returns the S256 challenge for the authorization URL. `consume` reads and deletes it in one step (GETDEL), so
a replayed state finds nothing. The browser binding is a random value in an HttpOnly cookie; the callback
must present the same value, so a state that leaks into another browser is worthless there.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from redis.asyncio import Redis

from connectors.errors import MeliError
from worker import redis_keys

STATE_TTL_S = 600
STATE_PATTERN = "^[A-Za-z0-9]{20,128}$"
_TOKEN = re.compile(STATE_PATTERN)


def random_token(length: int) -> str:
    return str(generate_token(length))


def well_formed(value: str | None) -> bool:
    """Only values we could have made are looked up (and used as Redis key parts)."""
    return value is not None and _TOKEN.fullmatch(value) is not None


@dataclass(frozen=True)
class PendingConnect:
    business_id: int
    site_id: str
    code_verifier: str
    browser: str
    link_id: int | None = None  # the connect link it started from (spent when it succeeds); None: a reconnect

    def __repr__(self) -> str:
        return f"PendingConnect(business_id={self.business_id}, site_id={self.site_id!r})"

    def same_browser(self, browser: str | None) -> bool:
        return browser is not None and hmac.compare_digest(self.browser.encode(), browser.encode())


@dataclass(frozen=True)
class Started:
    state: str
    code_challenge: str


class OAuthStates:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = redis_keys.oauth_states(namespace) + ":"

    async def begin(self, business_id: int, site_id: str, browser: str, link_id: int | None = None) -> Started:
        state, verifier = random_token(43), random_token(64)
        pending = PendingConnect(business_id, site_id, verifier, browser, link_id)
        stored = await self._redis.set(self._prefix + state, json.dumps(asdict(pending)), ex=STATE_TTL_S, nx=True)
        if not stored:
            raise MeliError("could not store a new OAuth state")
        return Started(state, str(create_s256_code_challenge(verifier)))

    async def consume(self, state: str | None) -> PendingConnect | None:
        """The pending connect of `state`, deleted as it is read; None if unknown, used or expired."""
        if not well_formed(state):
            return None
        raw = await self._redis.getdel(self._prefix + str(state))
        if raw is None:
            return None
        return pending_from(json.loads(raw))


def pending_from(document: dict[str, Any]) -> PendingConnect:
    link_id = document.get("link_id")
    return PendingConnect(
        int(document["business_id"]), str(document["site_id"]), str(document["code_verifier"]),
        str(document["browser"]), int(link_id) if link_id is not None else None,
    )  # fmt: skip
