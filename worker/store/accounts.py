"""Connected seller accounts and their encrypted tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from connectors.errors import Conflict, InvalidRecord
from connectors.events import require_aware
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import AccountStatus, MlAccount, OAuthToken, utcnow


@dataclass(frozen=True)
class TokenSet:
    """Plaintext tokens as they come from the token endpoint; only ever held in memory."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str = ""

    def __repr__(self) -> str:  # keep tokens out of tracebacks and logs
        return f"TokenSet(expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"


@dataclass(frozen=True)
class StoredTokens:
    tokens: TokenSet
    version: int


async def link_account(
    db: Database,
    cipher: TokenCipher,
    *,
    business_id: int,
    seller_id: int,
    site_id: str,
    nickname: str,
    tokens: TokenSet,
) -> MlAccount:
    """Create or re-activate the account of `seller_id` for `business_id`, replacing its tokens.

    A seller already linked to another business is refused (Conflict) and nothing is written.
    """
    require_aware("expires_at", tokens.expires_at)
    if seller_id <= 0:
        raise InvalidRecord("seller_id", "must be a positive integer")
    now = utcnow()
    async with db.transaction() as session:
        existing = (await session.exec(select(MlAccount).where(MlAccount.seller_id == seller_id))).first()
        if existing is not None and existing.business_id != business_id:
            raise Conflict(f"seller {seller_id} is already connected to another business")
        account = existing or MlAccount(
            business_id=business_id,
            seller_id=seller_id,
            created_at=now,
            site_id=site_id,
            nickname=nickname,
            updated_at=now,
            connected_at=now,
        )
        account.site_id, account.nickname = site_id, nickname
        account.status = AccountStatus.ACTIVE.value
        account.updated_at = account.connected_at = now
        session.add(account)
        await session.flush()
        assert account.id is not None
        row = await session.get(OAuthToken, account.id)
        if row is None:
            row = OAuthToken(account_id=account.id, access_token_enc=b"", expires_at=now, updated_at=now, version=0)
        row.version += 1
        _fill_token_row(row, cipher, tokens)
        session.add(row)
    return account


def _fill_token_row(row: OAuthToken, cipher: TokenCipher, tokens: TokenSet) -> None:
    row.access_token_enc = cipher.encrypt(tokens.access_token)
    row.refresh_token_enc = cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
    row.expires_at = tokens.expires_at
    row.scope = tokens.scope
    row.updated_at = utcnow()


async def load_tokens(db: Database, cipher: TokenCipher, account_id: int) -> StoredTokens | None:
    async with db.transaction() as session:
        row = await session.get(OAuthToken, account_id)
    if row is None:
        return None
    tokens = TokenSet(
        access_token=cipher.decrypt(row.access_token_enc),
        refresh_token=cipher.decrypt(row.refresh_token_enc) if row.refresh_token_enc else None,
        expires_at=row.expires_at,
        scope=row.scope,
    )
    return StoredTokens(tokens=tokens, version=row.version)


async def replace_tokens(
    db: Database, cipher: TokenCipher, account_id: int, expected_version: int, tokens: TokenSet
) -> bool:
    """Store refreshed tokens only if nobody else did since `expected_version` was read (optimistic lock)."""
    require_aware("expires_at", tokens.expires_at)
    async with db.transaction() as session:
        statement = (
            update(OAuthToken)
            .where(col(OAuthToken.account_id) == account_id, col(OAuthToken.version) == expected_version)
            .values(
                access_token_enc=cipher.encrypt(tokens.access_token),
                refresh_token_enc=cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None,
                expires_at=tokens.expires_at,
                scope=tokens.scope,
                version=expected_version + 1,
                updated_at=utcnow(),
            )
        )
        result = await session.exec(statement)
        return bool(result.rowcount == 1)


async def get_account_by_seller(db: Database, seller_id: int) -> MlAccount | None:
    async with db.transaction() as session:
        return (await session.exec(select(MlAccount).where(MlAccount.seller_id == seller_id))).first()


async def set_account_status(db: Database, account_id: int, status: AccountStatus) -> None:
    async with db.transaction() as session:
        account = await session.get(MlAccount, account_id)
        if account is None:
            raise InvalidRecord("account_id", f"no account {account_id}")
        account.status = status.value
        account.updated_at = utcnow()
        session.add(account)
