"""A seller connected without a browser: tokens the sandbox grants (`POST /_sandbox/sellers/{id}/tokens`),
linked to a new business. The demo, the end-to-end tests and the benchmarks all connect sellers this way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database


@dataclass(frozen=True)
class Linked:
    business_id: int
    business_name: str
    api_key: str
    account_id: int


def granted_tokens(pair: Mapping[str, Any]) -> TokenSet:
    """The token pair the sandbox answered, as the worker stores it."""
    expires = datetime.now(UTC) + timedelta(seconds=pair["expires_in"])
    return TokenSet(pair["access_token"], pair["refresh_token"], expires, pair["scope"])


async def link_seller(
    db: Database, cipher: TokenCipher, business: tuple[str, str], seller: tuple[int, str, str], tokens: TokenSet
) -> Linked:
    """A new business (name, country) with the seller (id, site, nickname) linked as an active account."""
    created, api_key = await create_business(db, *business)
    assert created.id is not None
    seller_id, site_id, nickname = seller
    account = await link_account(
        db, cipher, business_id=created.id, seller_id=seller_id, site_id=site_id, nickname=nickname, tokens=tokens
    )
    assert account.id is not None
    return Linked(created.id, created.name, api_key, account.id)
