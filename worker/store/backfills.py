"""Backfill runs and their date windows: the checkpoints that make an import resumable after any crash.

A run is stored with its root windows in one transaction; a second open run of the same account and phase hits
the unique `open_key` (the caller joins the open one). Each finished page moves its window's `next_offset` and
the run's counters in one transaction: a killed worker repeats at most one page, which stores nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from connectors.events import Origin
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import (
    AccountStatus,
    BackfillRun,
    BackfillStatus,
    BackfillWindow,
    DocumentRow,
    EventRow,
    InboxRow,
    MlAccount,
    OrderObject,
    WindowStatus,
)
from worker.store.types import UTCDateTime
from worker.store.webhook_outbox import add_import_message_in

OPEN_STATUSES = (BackfillStatus.QUEUED.value, BackfillStatus.RUNNING.value, BackfillStatus.PARKED.value)
RUNNABLE = (BackfillStatus.QUEUED.value, BackfillStatus.RUNNING.value)


@dataclass(frozen=True)
class NewRun:
    account_id: int
    phase: str
    priority: int
    since: datetime
    until: datetime
    historical_before: datetime
    status_filters: tuple[str | None, ...] = (None,)


@dataclass(frozen=True)
class PageCheckpoint:
    """What one page of a window did: where the window stands now and what to add to the run's counters."""

    total: int
    next_offset: int
    done: bool
    orders: int = 0
    failed: int = 0
    events: int = 0
    calls: int = 0
    found: int = 0  # orders a root window's first page revealed (the run's "orders found")


async def create_run(db: Database, new: NewRun) -> BackfillRun | None:
    """Store a queued run and its root windows; None when the account already has an open run of that phase."""
    now = utcnow()
    run = BackfillRun(
        account_id=new.account_id, phase=new.phase, priority=new.priority, status=BackfillStatus.QUEUED.value,
        open_key=f"{new.account_id}:{new.phase}", since=new.since, until=new.until,
        historical_before=new.historical_before, created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        async with db.transaction() as session:
            session.add(run)
            await session.flush()
            assert run.id is not None
            for status_filter in new.status_filters:
                session.add(_window(run.id, None, new.since, new.until, status_filter, now))
    except IntegrityError:
        return None
    return run


def _window(
    run_id: int, parent_id: int | None, start: datetime, end: datetime, status_filter: str | None, now: datetime
) -> BackfillWindow:
    return BackfillWindow.model_validate(
        {"backfill_id": run_id, "parent_id": parent_id, "starts_at": start, "ends_at": end,
         "status_filter": status_filter, "status": WindowStatus.PENDING.value, "updated_at": now}
    )  # fmt: skip


async def open_runs(db: Database, account_id: int) -> list[BackfillRun]:
    """The account's unfinished runs, in the order they are worked on (recent phase first)."""
    statement = (
        select(BackfillRun)
        .where(col(BackfillRun.account_id) == account_id, col(BackfillRun.status).in_(OPEN_STATUSES))
        .order_by(col(BackfillRun.priority), col(BackfillRun.id))
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def account_runs(db: Database, account_id: int, limit: int = 20) -> list[BackfillRun]:
    """The account's latest runs, oldest first."""
    statement = (
        select(BackfillRun).where(col(BackfillRun.account_id) == account_id).order_by(col(BackfillRun.id).desc())
    )
    async with db.transaction() as session:
        return list(reversed((await session.exec(statement.limit(limit))).all()))


async def has_initial_import(db: Database, account_id: int) -> bool:
    statement = select(BackfillRun.id).where(
        col(BackfillRun.account_id) == account_id, col(BackfillRun.phase).in_(("recent", "history"))
    )
    async with db.transaction() as session:
        return (await session.exec(statement.limit(1))).first() is not None


async def start_slice(db: Database, run_id: int) -> None:
    """A job begins a slice of the run: `running`, one more slice, and a fresh heartbeat."""
    now = utcnow()
    started = func.coalesce(col(BackfillRun.started_at), literal(now, UTCDateTime()))
    values = {"status": BackfillStatus.RUNNING.value, "slices": BackfillRun.slices + 1, "started_at": started}
    async with db.transaction() as session:
        await session.exec(update(BackfillRun).where(col(BackfillRun.id) == run_id).values(**values, updated_at=now))


async def next_window(db: Database, run_id: int) -> BackfillWindow | None:
    statement = (
        select(BackfillWindow)
        .where(col(BackfillWindow.backfill_id) == run_id, col(BackfillWindow.status) == WindowStatus.PENDING.value)
        .order_by(col(BackfillWindow.starts_at), col(BackfillWindow.id))
    )
    async with db.transaction() as session:
        return (await session.exec(statement.limit(1))).first()


async def split_window(
    db: Database, window: BackfillWindow, spans: Sequence[tuple[datetime, datetime]], total: int, found: int, calls: int
) -> None:
    """Replace a window whose total exceeds the offset cap by children that cover it exactly."""
    assert window.id is not None
    now = utcnow()
    async with db.transaction() as session:
        await session.exec(
            update(BackfillWindow)
            .where(col(BackfillWindow.id) == window.id)
            .values(status=WindowStatus.SPLIT.value, total=total, updated_at=now)
        )
        for start, end in spans:
            session.add(_window(window.backfill_id, window.id, start, end, window.status_filter, now))
        await _add_to_run(session, window.backfill_id, PageCheckpoint(total, 0, False, found=found, calls=calls))


async def checkpoint_page(db: Database, window: BackfillWindow, page: PageCheckpoint) -> None:
    assert window.id is not None
    values = {
        "total": page.total,
        "next_offset": page.next_offset,
        "status": (WindowStatus.DONE if page.done else WindowStatus.PENDING).value,
        "orders_done": BackfillWindow.orders_done + page.orders,
        "events_added": BackfillWindow.events_added + page.events,
        "updated_at": utcnow(),
    }
    async with db.transaction() as session:
        await session.exec(update(BackfillWindow).where(col(BackfillWindow.id) == window.id).values(**values))
        await _add_to_run(session, window.backfill_id, page)


async def _add_to_run(session: AsyncSession, run_id: int, page: PageCheckpoint) -> None:
    statement = (
        update(BackfillRun)
        .where(col(BackfillRun.id) == run_id)
        .values(
            orders_found=BackfillRun.orders_found + page.found,
            orders_done=BackfillRun.orders_done + page.orders,
            orders_failed=BackfillRun.orders_failed + page.failed,
            events_added=BackfillRun.events_added + page.events,
            api_calls=BackfillRun.api_calls + page.calls,
            failures=0,
            updated_at=utcnow(),
        )
    )
    await session.exec(statement)


async def set_run_status(db: Database, run_id: int, status: BackfillStatus, reason: str | None = None) -> None:
    """Move a run on; a finished run (done, failed) frees its `open_key` so a new run of its phase may start."""
    now = utcnow()
    values: dict[str, object] = {"status": status.value, "reason": reason, "updated_at": now}
    if status in (BackfillStatus.DONE, BackfillStatus.FAILED):
        values.update(open_key=None, finished_at=now)
    done = status is BackfillStatus.DONE  # once: its message commits with the completion
    again = col(BackfillRun.status) == status.value
    statement = update(BackfillRun).where(col(BackfillRun.id) == run_id, ~again if done else true())
    async with db.transaction() as session:
        if (await session.exec(statement.values(**values))).rowcount and done:
            await add_import_message_in(session, run_id, now)


async def record_failure(db: Database, run_id: int, reason: str) -> int:
    """A slice failed on a transient error; returns the number of failures in a row (for the backoff)."""
    values = {"failures": BackfillRun.failures + 1, "status": BackfillStatus.QUEUED.value, "reason": reason[:500]}
    statement = update(BackfillRun).where(col(BackfillRun.id) == run_id).values(**values, updated_at=utcnow())
    async with db.transaction() as session:
        return int((await session.exec(statement.returning(col(BackfillRun.failures)))).scalar_one())


async def park_account_runs(db: Database, account_id: int, reason: str) -> int:
    return await _move_runs(db, account_id, RUNNABLE, BackfillStatus.PARKED, reason[:500])


async def unpark_account_runs(db: Database, account_id: int) -> int:
    return await _move_runs(db, account_id, (BackfillStatus.PARKED.value,), BackfillStatus.QUEUED, None)


async def _move_runs(
    db: Database, account_id: int, current: Sequence[str], status: BackfillStatus, reason: str | None
) -> int:
    where = (col(BackfillRun.account_id) == account_id) & col(BackfillRun.status).in_(current)
    values = {"status": status.value, "reason": reason, "updated_at": utcnow()}
    async with db.transaction() as session:
        return int((await session.exec(update(BackfillRun).where(where).values(**values))).rowcount)


async def accounts_to_resume(db: Database, stale_after: timedelta) -> list[int]:
    """Accounts whose backfill nobody works on: queued or running without a heartbeat for `stale_after`
    (a lost job, a killed worker), or parked while the seller is active again (reconnected)."""
    cutoff = utcnow() - stale_after
    stale = col(BackfillRun.status).in_(RUNNABLE) & (col(BackfillRun.updated_at) < cutoff)
    parked = col(BackfillRun.status) == BackfillStatus.PARKED.value
    statement = (
        select(BackfillRun.account_id)
        .join(MlAccount, col(MlAccount.id) == col(BackfillRun.account_id))
        .where(stale | parked, col(MlAccount.status) == AccountStatus.ACTIVE.value)
        .distinct()
    )
    async with db.transaction() as session:
        return sorted(int(account_id) for account_id in (await session.exec(statement)).all())


async def window_counts(db: Database, run_id: int) -> dict[str, int]:
    statement = (
        select(col(BackfillWindow.status), func.count())
        .where(col(BackfillWindow.backfill_id) == run_id)
        .group_by(col(BackfillWindow.status))
    )
    async with db.transaction() as session:
        return {status: int(count) for status, count in (await session.exec(statement)).all()}


async def active_accounts(db: Database) -> list[MlAccount]:
    statement = select(MlAccount).where(col(MlAccount.status) == AccountStatus.ACTIVE.value).order_by(col(MlAccount.id))
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def known_notification_ids(db: Database, notification_ids: Sequence[str]) -> set[str]:
    """Which of these ML notification ids the inbox already holds (webhook or an earlier missed-feeds read)."""
    if not notification_ids:
        return set()
    statement = select(col(InboxRow.notification_id)).where(col(InboxRow.notification_id).in_(notification_ids))
    async with db.transaction() as session:
        return {found for found in (await session.exec(statement)).all() if found is not None}


@dataclass(frozen=True)
class Coverage:
    """How a seller's events first reached us, and how many notifications came from ML's missed feeds."""

    events_by_origin: dict[str, int]
    historical_events: int
    notifications_by_origin: dict[str, int]


async def coverage(db: Database, account: MlAccount) -> Coverage:
    """Events of the seller's orders (orders whose document this account fetched) by origin."""
    assert account.id is not None
    historical = func.sum(case((col(EventRow.tracked_at) < account.connected_at, 1), else_=0))
    documents = and_(col(DocumentRow.account_id) == account.id, col(DocumentRow.kind) == "order")
    events = (
        select(col(EventRow.origin), func.count(), historical)
        .join(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
        .join(DocumentRow, documents & (col(DocumentRow.ref) == col(OrderObject.reference)))
        .where(col(EventRow.business_id) == account.business_id)
        .group_by(col(EventRow.origin))
    )
    notes = select(col(InboxRow.origin), func.count()).where(col(InboxRow.account_id) == account.id)
    async with db.transaction() as session:
        rows = (await session.exec(events)).all()
        noted = (await session.exec(notes.group_by(col(InboxRow.origin)))).all()
    by_origin = {origin: int(count) for origin, count, _ in rows}
    # Of the import's events, those that happened before the seller connected. Live events count only where
    # they came from: in the demo the simulated dates lie before the connection, and "0 from the import (53
    # from before you connected)" would contradict itself.
    imported_before = sum(int(n or 0) for origin, _, n in rows if origin == Origin.BACKFILL.value)
    return Coverage(by_origin, imported_before, {origin: int(n) for origin, n in noted})
