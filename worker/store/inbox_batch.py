"""A seller's inbox rows as its drain works them: due rows taken a batch at a time, and closed (or put back for
later) a batch at a time, in one statement each.

A row is due while `pending` and `due_at` is empty or past: a row whose fetch failed for a while waits until
`due_at`. A drain marks the rows it takes (`taken_by`) so the next batch skips them while they are worked;
closing clears the mark. The sweeper finds sellers whose due rows have waited too long (their drain was lost)
and sellers who reconnected with parked rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update

from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import AccountStatus, InboxRow, InboxStatus, MlAccount

PENDING = InboxStatus.PENDING.value


def _inbox() -> Any:
    return InboxRow.__table__  # type: ignore[attr-defined]


def _due(table: Any, now: datetime) -> Any:
    return (table.c.status == PENDING) & or_(table.c.due_at.is_(None), table.c.due_at <= now)


@dataclass(frozen=True, slots=True)
class TakenRow:
    """What a drain reads of an inbox row it took: which resource it names, how often it was tried."""

    id: int
    kind: str | None
    resource_id: str | None
    origin: str
    attempts: int
    ml_failures: int
    received_at: datetime


@cache
def _taken_columns() -> tuple[Any, ...]:
    table = _inbox()
    return tuple(table.c[name] for name in TakenRow.__slots__)


async def take_batch(db: Database, account_id: int, token: str, limit: int) -> list[TakenRow]:
    """Take the seller's oldest due rows nobody works on (`taken_by` = `token`); oldest first. Only the columns
    a drain reads come back (not the body)."""
    table = _inbox()
    free = (
        select(table.c.id)
        .where(table.c.account_id == account_id, _due(table, utcnow()), table.c.taken_by.is_(None))
        .order_by(table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken = update(table).where(table.c.id.in_(free.scalar_subquery())).values(taken_by=token)
    async with db.connect(autocommit=True) as conn:
        rows = [TakenRow(*row) for row in await conn.execute(taken.returning(*_taken_columns()))]
    return sorted(rows, key=lambda row: row.id)


async def release_taken(db: Database, account_id: int) -> int:
    """Rows a drain of this seller took and never closed (it died): free again. Only the holder of the seller's
    drain lock calls this, so no living drain loses its rows."""
    table = _inbox()
    taken = (table.c.account_id == account_id) & (table.c.status == PENDING) & table.c.taken_by.is_not(None)
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(update(table).where(taken).values(taken_by=None))).rowcount)


@dataclass(frozen=True)
class Closing:
    """What becomes of one row: its new status and reason, the failed ML calls it cost, and, for a row put back
    (`pending`), when it is due again."""

    row_id: int
    status: InboxStatus
    reason: str | None = None
    ml_failures: int = 0
    due_at: datetime | None = None


@cache
def _close_statement() -> Any:
    table = _inbox()
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.status == PENDING)
        .values(
            status=bindparam("new_status"),
            reason=bindparam("new_reason"),
            ml_failures=table.c.ml_failures + bindparam("failed_calls"),
            attempts=table.c.attempts + 1,
            due_at=bindparam("new_due_at", type_=table.c.due_at.type),
            taken_by=None,
            processed_at=bindparam("new_processed_at", type_=table.c.processed_at.type),
        )
    )


async def close_rows(db: Database, closings: Sequence[Closing]) -> None:
    """Apply every row's outcome in one statement (sent as one batch)."""
    if not closings:
        return
    now = utcnow()
    params = [
        {
            "row_id": closing.row_id, "new_status": closing.status.value, "new_reason": closing.reason,
            "failed_calls": closing.ml_failures, "new_due_at": closing.due_at,
            "new_processed_at": None if closing.status is InboxStatus.PENDING else now,
        }
        for closing in closings
    ]  # fmt: skip
    async with db.connect(autocommit=True) as conn:
        await conn.execute(_close_statement(), params)


async def next_due(db: Database, account_id: int) -> datetime | None:
    """When the seller's next pending row is due (now or earlier when one is due already); None: nothing
    pending."""
    table = _inbox()
    due = func.min(func.coalesce(table.c.due_at, table.c.received_at))
    statement = select(due).where(table.c.account_id == account_id, table.c.status == PENDING)
    async with db.connect(autocommit=True) as conn:
        found = (await conn.execute(statement)).scalar_one_or_none()
    return found if isinstance(found, datetime) else None


async def sellers_waiting(db: Database, older_than: timedelta, limit: int = 1000) -> list[int]:
    """Sellers with a due row received more than `older_than` ago: their drain was lost (Redis, a kill)."""
    table = _inbox()
    now = utcnow()
    statement = (
        select(table.c.account_id)
        .where(_due(table, now), table.c.received_at < now - older_than, table.c.account_id.is_not(None))
        .distinct()
        .limit(limit)
    )
    async with db.connect(autocommit=True) as conn:
        return [int(account_id) for account_id in (await conn.execute(statement)).scalars()]


async def resume_parked(db: Database) -> list[int]:
    """Parked rows of sellers who reconnected become pending again; returns those sellers."""
    table, accounts = _inbox(), MlAccount.__table__  # type: ignore[attr-defined]
    active = select(accounts.c.id).where(accounts.c.status == AccountStatus.ACTIVE.value)
    parked = (table.c.status == InboxStatus.PARKED.value) & table.c.account_id.in_(active.scalar_subquery())
    async with db.connect(autocommit=True) as conn:
        sellers = [int(a) for a in (await conn.execute(select(table.c.account_id).where(parked).distinct())).scalars()]
        if sellers:
            await conn.execute(update(table).where(parked).values(status=PENDING, reason=None, due_at=utcnow()))
    return sellers
