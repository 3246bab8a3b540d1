"""Sign-ins that came back to a browser that did not start them, held until the person there confirms.

Someone may start a connect with their link and get another person to sign in at Mercado Libre: that person's
seller would then flow into the first one's business. So a callback whose browser did not press Connect is not
linked at once: the tokens ML granted are kept (encrypted with the token cipher, 10 minutes, single use) and
the browser is asked "Connect SELLER to BUSINESS?". Only its answer, from the same browser, links the seller.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from redis.asyncio import Redis

from connectors.mercadolibre.oauth import MlUser
from worker import redis_keys
from worker.connect.state import PendingConnect, pending_from, random_token, well_formed
from worker.store.accounts import TokenSet
from worker.store.crypto import TokenCipher

CONFIRM_TTL_S = 600


@dataclass(frozen=True)
class Confirmation:
    id: str
    pending: PendingConnect
    user: MlUser
    tokens: TokenSet
    browser: str  # the browser that was asked

    def __repr__(self) -> str:
        return f"Confirmation(business_id={self.pending.business_id}, seller_id={self.user.id})"

    def same_browser(self, browser: str | None) -> bool:
        return browser is not None and hmac.compare_digest(self.browser.encode(), browser.encode())


def _document(confirmation: Confirmation) -> str:
    tokens = confirmation.tokens
    return json.dumps(
        {
            "pending": asdict(confirmation.pending),
            "user": confirmation.user.model_dump(),
            "tokens": [tokens.access_token, tokens.refresh_token, tokens.expires_at.isoformat(), tokens.scope],
            "browser": confirmation.browser,
        }
    )


class Confirmations:
    def __init__(self, redis: Redis, cipher: TokenCipher, namespace: str) -> None:
        self._redis = redis
        self._cipher = cipher
        self._prefix = redis_keys.connect_confirmations(namespace) + ":"

    async def hold(self, pending: PendingConnect, user: MlUser, tokens: TokenSet, browser: str) -> Confirmation:
        confirmation = Confirmation(random_token(43), pending, user, tokens, browser)
        blob = self._cipher.encrypt(_document(confirmation))
        await self._redis.set(self._prefix + confirmation.id, blob, ex=CONFIRM_TTL_S)
        return confirmation

    async def take(self, confirmation_id: str | None) -> Confirmation | None:
        """The held sign-in, deleted as it is read; None if unknown, answered or expired."""
        if not well_formed(confirmation_id):
            return None
        raw = await self._redis.getdel(self._prefix + str(confirmation_id))
        if raw is None:
            return None
        document = json.loads(self._cipher.decrypt(raw))
        access, refresh, expires_at, scope = document["tokens"]
        tokens = TokenSet(access, refresh, datetime.fromisoformat(expires_at), scope)
        user = MlUser.model_validate(document["user"])
        return Confirmation(str(confirmation_id), pending_from(document["pending"]), user, tokens, document["browser"])
