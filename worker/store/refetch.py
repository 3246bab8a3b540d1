"""Orders to fetch again because their last sync lacked a document (see worker/jobs/related.py).

One row per (account, order). Any sync that finds something missing records the gap (due at once when it is
new); the refetch job syncs the order again and either resolves the gap or pushes its next attempt further
out (worker/jobs/refetch.py holds the policy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import RefetchRow

Pause = Callable[[int], float]  # attempt number (1, 2, ...) → seconds to wait before the next attempt


@dataclass(frozen=True)
class Gap:
    """An open gap: whose order, how many refetches it took so far, when the next is due."""

    id: int
    account_id: int
    order_ref: str
    attempts: int
    next_attempt_at: datetime


def _gap(row: RefetchRow) -> Gap:
    assert row.id is not None
    return Gap(row.id, row.account_id, row.order_ref, row.attempts, row.next_attempt_at)


async def record_gap(db: Database, account_id: int, order_ref: str, reasons: Sequence[str]) -> None:
    """Open the order's gap, due at once; an open gap keeps its schedule (only the refetch job moves it)."""
    now = utcnow()
    reason = "; ".join(reasons)[:500]
    async with db.transaction() as session:
        query = select(RefetchRow).where(RefetchRow.account_id == account_id, RefetchRow.order_ref == order_ref)
        row = (await session.exec(query.with_for_update())).first()
        if row is None or row.resolved_at is not None:
            row = row or RefetchRow(account_id=account_id, order_ref=order_ref, reason=reason, created_at=now)
            row.attempts, row.next_attempt_at, row.resolved_at = 0, now, None
        row.reason = reason
        session.add(row)


async def reschedule_gap(db: Database, gap_id: int, pause: Pause) -> int:
    """One more attempt made and the gap still open: the next one waits `pause(attempts)`; returns attempts."""
    async with db.transaction() as session:
        row = await session.get(RefetchRow, gap_id)
        if row is None:
            return 0
        row.attempts += 1
        row.next_attempt_at = utcnow() + timedelta(seconds=pause(row.attempts))
        session.add(row)
        return row.attempts


async def resolve_gap(db: Database, gap_id: int) -> None:
    async with db.connect() as conn:
        statement = update(RefetchRow).where(col(RefetchRow.id) == gap_id, col(RefetchRow.resolved_at).is_(None))
        await conn.execute(statement.values(resolved_at=utcnow()))


async def get_gap(db: Database, gap_id: int) -> tuple[Gap, datetime | None] | None:
    """The gap and when it was resolved (None while open)."""
    async with db.transaction() as session:
        row = await session.get(RefetchRow, gap_id)
        return None if row is None else (_gap(row), row.resolved_at)


async def due_gaps(db: Database, max_attempts: int, limit: int = 500) -> list[Gap]:
    """Open gaps whose next attempt is due, oldest first (attempts beyond `max_attempts` wait for a person)."""
    query = (
        select(RefetchRow)
        .where(
            col(RefetchRow.resolved_at).is_(None),
            col(RefetchRow.next_attempt_at) <= utcnow(),
            col(RefetchRow.attempts) <= max_attempts,
        )
        .order_by(col(RefetchRow.next_attempt_at))
        .limit(limit)
    )
    async with db.transaction() as session:
        return [_gap(row) for row in (await session.exec(query)).all()]


async def open_gaps(db: Database) -> int:
    """How many orders still wait for a document (the demo waits for none)."""
    query = select(func.count()).select_from(RefetchRow).where(col(RefetchRow.resolved_at).is_(None))
    async with db.transaction() as session:
        return int((await session.exec(query)).one())


@dataclass(frozen=True)
class GapStatus:
    """An order's gap as `meli explain` shows it."""

    reason: str
    attempts: int
    next_attempt_at: datetime
    resolved_at: datetime | None


async def gap_of_order(db: Database, account_id: int, order_ref: str) -> GapStatus | None:
    query = select(RefetchRow).where(RefetchRow.account_id == account_id, RefetchRow.order_ref == order_ref)
    async with db.transaction() as session:
        row = (await session.exec(query)).first()
    return None if row is None else GapStatus(row.reason, row.attempts, row.next_attempt_at, row.resolved_at)
