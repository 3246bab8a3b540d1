"""Seller accounts and encrypted tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from connectors.errors import InvalidRecord
from worker.errors import Conflict
from worker.store.accounts import TokenSet, link_account, load_tokens, replace_tokens
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import AccountStatus, MlAccount

ACCESS = "APP_USR-sandbox-access-token-987654321"
REFRESH = "TG-sandbox-refresh-token-987654321"
EXPIRES = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher([TokenCipher.generate_key()])


def tokens(access: str = ACCESS, refresh: str = REFRESH) -> TokenSet:
    return TokenSet(access, refresh, EXPIRES, "offline_access read write")


async def link(db: Database, cipher: TokenCipher, business_id: int, token_set: TokenSet | None = None) -> MlAccount:
    return await link_account(
        db, cipher, business_id=business_id, seller_id=987654321, site_id="MCO", nickname="TIENDA",
        tokens=token_set or tokens(),
    )  # fmt: skip


async def test_tokens_are_unreadable_in_the_raw_table(db: Database, cipher: TokenCipher) -> None:
    business, _ = await create_business(db, "Tienda", "CO")
    assert business.id is not None
    account = await link(db, cipher, business.id)

    async with db.connect() as conn:
        raw = (await conn.execute(text("SELECT * FROM oauth_token"))).one()
    dump = repr(tuple(raw)).encode() + b"".join(bytes(v) for v in raw if isinstance(v, bytes | memoryview))
    assert ACCESS.encode() not in dump and REFRESH.encode() not in dump
    assert b"987654321" not in dump
    stored = await load_tokens(db, cipher, account.id or 0)
    assert stored is not None
    assert (stored.tokens, stored.version) == (tokens(), 1)


async def test_a_seller_belongs_to_one_business_and_nothing_is_written_on_conflict(
    db: Database, cipher: TokenCipher
) -> None:
    first, _ = await create_business(db, "Tienda", "CO")
    second, _ = await create_business(db, "Otra", "CO")
    assert first.id is not None and second.id is not None
    account = await link(db, cipher, first.id)

    with pytest.raises(Conflict, match="seller 987654321 is already connected to another business"):
        await link(db, cipher, second.id, tokens("APP_USR-other", "TG-other"))

    stored = await load_tokens(db, cipher, account.id or 0)
    assert stored is not None and stored.tokens.access_token == ACCESS


async def test_reconnecting_replaces_tokens_without_a_second_account(db: Database, cipher: TokenCipher) -> None:
    business, _ = await create_business(db, "Tienda", "CO")
    assert business.id is not None
    first = await link(db, cipher, business.id)
    async with db.transaction() as session:
        first.status = AccountStatus.NEEDS_REAUTH.value
        session.add(first)

    again = await link(db, cipher, business.id, tokens("APP_USR-new", "TG-new"))

    async with db.transaction() as session:
        accounts = (await session.exec(select(MlAccount))).all()
    stored = await load_tokens(db, cipher, again.id or 0)
    assert [(a.id, a.status) for a in accounts] == [(first.id, "active")]
    assert stored is not None and (stored.tokens.access_token, stored.version) == ("APP_USR-new", 2)


async def test_a_reconnect_moves_connected_at_but_keeps_the_first_connection_date(
    db: Database, cipher: TokenCipher
) -> None:
    business, _ = await create_business(db, "Tienda", "CO")
    assert business.id is not None
    first = await link(db, cipher, business.id)
    assert first.first_connected_at is not None and first.first_connected_at == first.connected_at

    again = await link(db, cipher, business.id, tokens("APP_USR-new", "TG-new"))

    assert again.connected_at > first.connected_at
    assert again.first_connected_at == first.first_connected_at


async def test_refreshed_tokens_are_stored_only_by_the_holder_of_the_current_version(
    db: Database, cipher: TokenCipher
) -> None:
    business, _ = await create_business(db, "Tienda", "CO")
    assert business.id is not None
    account = await link(db, cipher, business.id)

    assert await replace_tokens(db, cipher, account.id or 0, 1, tokens("APP_USR-2", "TG-2")) is True
    assert await replace_tokens(db, cipher, account.id or 0, 1, tokens("APP_USR-3", "TG-3")) is False

    stored = await load_tokens(db, cipher, account.id or 0)
    assert stored is not None and (stored.tokens.refresh_token, stored.version) == ("TG-2", 2)


async def test_naive_expiry_is_refused(db: Database, cipher: TokenCipher) -> None:
    naive = TokenSet(ACCESS, REFRESH, datetime(2026, 11, 23, 18, 0), "")

    with pytest.raises(InvalidRecord, match="expires_at"):
        await link(db, cipher, 1, naive)


def test_rotation_old_key_still_decrypts_and_new_key_encrypts() -> None:
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    sealed_with_old = TokenCipher([old]).encrypt("secret-value")
    rotated = TokenCipher([new, old])

    assert rotated.decrypt(sealed_with_old) == "secret-value"
    assert TokenCipher([new]).decrypt(rotated.rotate(sealed_with_old)) == "secret-value"
