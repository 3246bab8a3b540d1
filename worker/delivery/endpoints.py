"""Adding a business's outbound webhook endpoint (the URL checked, a secret made for it and shown this once);
shared by `meli business webhook` and `POST /api/v1/webhooks`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.errors import InvalidRecord
from worker.delivery.addresses import check_url
from worker.delivery.signing import new_secret
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.webhooks import EndpointView, add_endpoint, list_endpoints

MAX_ENDPOINTS = 10


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: EndpointView
    secret: str

    def to_json(self) -> dict[str, Any]:
        """The endpoint with its secret: the only time the secret is shown."""
        return {**self.endpoint.to_json(), "secret": self.secret}


async def create_endpoint(db: Database, cipher: TokenCipher, business_id: int, url: str,
                          allow_local: bool) -> NewEndpoint:  # fmt: skip
    """InvalidRecord("url", why) when the URL may not receive (`allow_local`: http and local addresses may)."""
    checked = await check_url(url, allow_local)
    if len(await list_endpoints(db, business_id)) >= MAX_ENDPOINTS:
        raise InvalidRecord("url", f"a business has at most {MAX_ENDPOINTS} endpoints: remove one first")
    secret = new_secret()
    return NewEndpoint(await add_endpoint(db, cipher, business_id, checked, secret), secret)
