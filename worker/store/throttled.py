"""Inbox rows that wait for a seller's catch-up re-sync (`throttled`), and the attempt budget of a row.

A row is throttled at intake (over the seller's intake budget or pending bound) or by its job (the seller is
under suspicion of forged notifications). The catch-up re-syncs the seller's recently updated orders with one
orders search, then closes every throttled row recorded before it began (`up_to`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from connectors.mercadolibre.constants import Kind
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import AccountStatus, InboxRow, InboxStatus, MlAccount, OrderObject

THROTTLED = InboxStatus.THROTTLED.value


def _inbox() -> Any:
    return InboxRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ThrottledSpan:
    """A seller's throttled rows: the oldest arrival, the newest id, and the kinds of resource they name."""

    oldest: datetime
    up_to: int
    kinds: frozenset[str]


async def throttled_span(db: Database, account_id: int) -> ThrottledSpan | None:
    table = _inbox()
    mine = (table.c.account_id == account_id) & (table.c.status == THROTTLED)
    async with db.connect(autocommit=True) as conn:
        oldest, up_to = (
            await conn.execute(select(func.min(table.c.received_at), func.max(table.c.id)).where(mine))
        ).one()
        if up_to is None:
            return None
        kinds = (await conn.execute(select(table.c.kind).where(mine, table.c.id <= up_to).distinct())).scalars()
        return ThrottledSpan(oldest, int(up_to), frozenset(kind for kind in kinds if kind))


def _mine(table: Any, account_id: int, up_to: int) -> Any:
    return (table.c.account_id == account_id) & (table.c.status == THROTTLED) & (table.c.id <= up_to)


async def close_listed(db: Database, account_id: int, up_to: int, listed: Collection[str]) -> int:
    """Close the seller's throttled rows up to `up_to` that name an order the catch-up listed (done)."""
    if not listed:
        return 0
    table = _inbox()
    named = _mine(table, account_id, up_to) & (table.c.kind == Kind.ORDER.value) & table.c.resource_id.in_(list(listed))
    reason = "covered by the seller's catch-up re-sync"
    statement = update(table).where(named).values(status=InboxStatus.DONE.value, reason=reason, processed_at=utcnow())
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(statement)).rowcount)


async def ignore_throttled(db: Database, account_id: int, up_to: int, reason: str) -> int:
    """Close the rest of the seller's throttled rows up to `up_to` as ignored (the seller is under suspicion)."""
    table = _inbox()
    statement = (
        update(table)
        .where(_mine(table, account_id, up_to))
        .values(status=InboxStatus.IGNORED.value, reason=reason, processed_at=utcnow())
    )
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(statement)).rowcount)


async def release_throttled(db: Database, account_id: int, up_to: int, limit: int) -> list[int]:
    """Give the oldest `limit` throttled rows up to `up_to` back their own fetch (pending); returns their ids."""
    table = _inbox()
    oldest = select(table.c.id).where(_mine(table, account_id, up_to)).order_by(table.c.id).limit(limit)
    async with db.connect() as conn:
        ids = [int(row_id) for row_id in (await conn.execute(oldest)).scalars()]
        if ids:
            released = update(table).where(table.c.id.in_(ids), table.c.status == THROTTLED)
            await conn.execute(released.values(status=InboxStatus.PENDING.value, reason=None))
    return ids


async def newest_throttled(db: Database, account_id: int) -> int | None:
    table = _inbox()
    statement = select(func.max(table.c.id)).where(table.c.account_id == account_id, table.c.status == THROTTLED)
    async with db.connect(autocommit=True) as conn:
        newest = (await conn.execute(statement)).scalar_one_or_none()
    return None if newest is None else int(newest)


async def accounts_with_throttled(db: Database, older_than: timedelta) -> list[int]:
    """Active sellers with throttled rows older than `older_than` (their catch-up was lost: Redis, a kill)."""
    table, accounts = _inbox(), MlAccount.__table__  # type: ignore[attr-defined]
    statement = (
        select(table.c.account_id)
        .join(accounts, accounts.c.id == table.c.account_id)
        .where(table.c.status == THROTTLED, table.c.received_at < utcnow() - older_than)
        .where(accounts.c.status == AccountStatus.ACTIVE.value)
        .distinct()
    )
    async with db.connect(autocommit=True) as conn:
        return [int(account_id) for account_id in (await conn.execute(statement)).scalars()]


async def throttle_rows(db: Database, row_ids: Collection[int], reason: str) -> int:
    """Hand pending rows to the seller's catch-up."""
    if not row_ids:
        return 0
    table = _inbox()
    mine = table.c.id.in_(list(row_ids)) & (table.c.status == InboxStatus.PENDING.value)
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(update(table).where(mine).values(status=THROTTLED, reason=reason))).rowcount)


async def stored_versions(db: Database, business_id: int, references: Collection[str]) -> dict[str, datetime | None]:
    """`source_updated_at` of the business's stored ML orders among `references` (absent: never stored)."""
    if not references:
        return {}
    table = OrderObject.__table__  # type: ignore[attr-defined]
    statement = select(table.c.reference, table.c.source_updated_at).where(
        table.c.business_id == business_id, table.c.source == "mercadolibre", table.c.reference.in_(list(references))
    )
    async with db.connect(autocommit=True) as conn:
        return {str(reference): updated for reference, updated in (await conn.execute(statement)).all()}
