"""Connected seller accounts and their encrypted tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from connectors.errors import InvalidRecord
from connectors.events import require_aware
from connectors.mercadolibre.oauth import TokenSet as TokenSet  # tokens are stored as the token endpoint gives them
from worker.clock import utcnow
from worker.errors import Conflict
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import AccountStatus, MlAccount, OAuthToken
from worker.store.webhook_outbox import AccountChange, add_account_message_in

MAX_ACCOUNT_ID = 2**31 - 1  # ml_account.id is a 32-bit INTEGER on PostgreSQL


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

    A seller live (not disconnected) at another business is refused (Conflict) and nothing is written. A seller
    disconnected elsewhere gets a new account here (the fresh consent proves it is the seller's will); the old
    account keeps the old business's history. Reconnecting at the same business reuses its account.
    """
    require_aware("expires_at", tokens.expires_at)
    if seller_id <= 0:
        raise InvalidRecord("seller_id", "must be a positive integer")
    now = utcnow()
    async with db.transaction() as session:
        account = await _account_to_link(session, seller_id, business_id) or MlAccount(
            business_id=business_id, seller_id=seller_id, created_at=now, site_id=site_id, nickname=nickname,
            updated_at=now, connected_at=now, first_connected_at=now,
        )  # fmt: skip
        account.first_connected_at = account.first_connected_at or account.connected_at
        account.site_id, account.nickname = site_id, nickname
        account.status = AccountStatus.ACTIVE.value
        account.updated_at = account.connected_at = now
        session.add(account)
        try:
            await session.flush()
        except IntegrityError:  # another business linked the seller at the same moment
            raise Conflict(f"seller {seller_id} is already connected to another business") from None
        assert account.id is not None
        row = await session.get(OAuthToken, account.id)
        if row is None:
            row = OAuthToken(account_id=account.id, access_token_enc=b"", expires_at=now, updated_at=now, version=0)
        row.version += 1
        _fill_token_row(row, cipher, tokens)
        session.add(row)
        await add_account_message_in(await session.connection(), account, AccountChange.CONNECTED, now)
    return account


async def _account_to_link(session: AsyncSession, seller_id: int, business_id: int) -> MlAccount | None:
    """The seller's account to (re)activate for `business_id`: its live one, else its old one at this business."""
    accounts = (await session.exec(select(MlAccount).where(MlAccount.seller_id == seller_id))).all()
    live = [account for account in accounts if account.status != AccountStatus.DISCONNECTED.value]
    if live and live[0].business_id != business_id:
        raise Conflict(f"seller {seller_id} is already connected to another business")
    mine = [account for account in accounts if account.business_id == business_id]
    return live[0] if live else max(mine, key=lambda account: account.id or 0, default=None)


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
    """The seller's live account, else its most recent disconnected one."""
    statement = (
        select(MlAccount)
        .where(MlAccount.seller_id == seller_id)
        .order_by(col(MlAccount.status) == AccountStatus.DISCONNECTED.value, col(MlAccount.id).desc())
    )
    async with db.transaction() as session:
        return (await session.exec(statement)).first()


async def get_business_account(db: Database, business_id: int, account_id: int) -> MlAccount | None:
    """The account only when it belongs to `business_id`: another business's id looks like a missing one."""
    account = await get_account(db, account_id)
    return account if account is not None and account.business_id == business_id else None


async def list_accounts(db: Database, business_id: int) -> list[MlAccount]:
    async with db.transaction() as session:
        statement = select(MlAccount).where(MlAccount.business_id == business_id).order_by(col(MlAccount.id))
        return list((await session.exec(statement)).all())


async def token_expiry(db: Database, account_id: int) -> datetime | None:
    """When the stored access token expires, without decrypting anything."""
    async with db.transaction() as session:
        row = await session.get(OAuthToken, account_id)
        return row.expires_at if row is not None else None


async def accounts_expiring(db: Database, before: datetime) -> list[int]:
    """Ids of active accounts whose access token expires before `before`, soonest first."""
    require_aware("before", before)
    async with db.transaction() as session:
        statement = (
            select(MlAccount.id)
            .join(OAuthToken, col(OAuthToken.account_id) == col(MlAccount.id))
            .where(MlAccount.status == AccountStatus.ACTIVE.value, col(OAuthToken.expires_at) < before)
            .order_by(col(OAuthToken.expires_at))
        )
        return [account_id for account_id in (await session.exec(statement)).all() if account_id is not None]


async def mark_needs_reauth(db: Database, account_id: int, token_version: int) -> bool:
    """Set `needs_reauth` only if the tokens are still those at `token_version`.

    A reconnect that stored new tokens meanwhile wins: the account stays active and False is returned.
    """
    async with db.transaction() as session:
        query = select(OAuthToken).where(OAuthToken.account_id == account_id).with_for_update()
        row = (await session.exec(query)).first()
        account = await session.get(MlAccount, account_id)
        if row is None or account is None or row.version != token_version:
            return False
        changed = account.status != AccountStatus.NEEDS_REAUTH.value
        account.status = AccountStatus.NEEDS_REAUTH.value
        account.updated_at = utcnow()
        session.add(account)
        if changed:
            await session.flush()
            await add_account_message_in(await session.connection(), account, AccountChange.NEEDS_RECONNECT,
                                         account.updated_at)  # fmt: skip
    return True


async def disconnect_account(db: Database, account_id: int) -> None:
    """Stop processing a seller: status `disconnected` and its tokens deleted. Stored events stay."""
    async with db.transaction() as session:
        account = await session.get(MlAccount, account_id)
        if account is None:
            raise InvalidRecord("account_id", f"no account {account_id}")
        row = await session.get(OAuthToken, account_id)
        if row is not None:
            await session.delete(row)
        changed = account.status != AccountStatus.DISCONNECTED.value
        account.status = AccountStatus.DISCONNECTED.value
        account.updated_at = utcnow()
        session.add(account)
        if changed:
            await session.flush()
            await add_account_message_in(await session.connection(), account, AccountChange.DISCONNECTED,
                                         account.updated_at)  # fmt: skip


async def get_account(db: Database, account_id: int) -> MlAccount | None:
    if not 0 < account_id <= MAX_ACCOUNT_ID:  # no such row, and PostgreSQL would refuse the parameter
        return None
    async with db.transaction() as session:
        return await session.get(MlAccount, account_id)
