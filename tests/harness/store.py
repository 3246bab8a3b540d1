"""Store shortcuts that only tests need: setting up a state the product reaches by a longer road."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from worker.clock import utcnow
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.documents import RawDocument, save_documents_in
from worker.store.models import AccountStatus, MlAccount


async def set_account_status(db: Database, account_id: int, status: AccountStatus) -> None:
    """Put an account straight into `status` (the product gets there through reconnects, 401s and disconnects)."""
    async with db.transaction() as session:
        account = await session.get(MlAccount, account_id)
        assert account is not None, f"no account {account_id}"
        account.status = status.value
        account.updated_at = utcnow()
        session.add(account)


async def save_documents(db: Database, account_id: int, documents: list[RawDocument]) -> None:
    """Store raw documents as a sync would have fetched them."""
    conn: AsyncConnection
    async with db.connect() as conn:
        await save_documents_in(conn, account_id, documents)


async def linked_seller(
    db: Database, seller_id: int, site_id: str = "MCO", country: str = "CO", nickname: str = "S"
) -> MlAccount:
    """A new business with one connected seller (tokens valid for six hours, a throw-away key)."""
    business, _ = await create_business(db, f"Tienda {seller_id}", country)
    assert business.id is not None
    tokens = TokenSet("APP_USR-access", "TG-refresh", datetime.now(UTC) + timedelta(hours=6))
    cipher = TokenCipher([TokenCipher.generate_key()])
    account = await link_account(
        db, cipher, business_id=business.id, seller_id=seller_id, site_id=site_id, nickname=nickname, tokens=tokens
    )
    assert account.id is not None
    return account
