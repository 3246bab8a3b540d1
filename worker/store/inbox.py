"""The notification inbox: what the webhook recorded, and what the jobs did with it.

A row is written before the webhook answers 200, so a notification survives any crash and a Redis flush.
Jobs coalesce by resource: one successful fetch marks done every pending row of that resource that was
recorded before the fetch started (ids are allocated on insert, so `id <= max id seen at start` means
"arrived before the fetch began").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, or_, update
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.models import InboxRow, InboxStatus, MlAccount, utcnow


@dataclass(slots=True)
class NewNotification:
    """An inbox row to write (one per webhook request: plain slots, no frozen-dataclass setattr cost)."""

    topic: str
    resource: str
    user_id: int
    body: dict[str, Any]
    status: InboxStatus
    notification_id: str | None = None
    account_id: int | None = None
    kind: str | None = None
    resource_id: str | None = None
    reason: str | None = None
    origin: str = "webhook"
    body_text: str | None = None  # `body` exactly as received (UTF-8 JSON): stored as is, not encoded again
    body_sha256: str | None = None  # rows that keep no body (ignored, throttled) keep its hash instead


WAITING = (InboxStatus.PENDING, InboxStatus.THROTTLED)  # not processed yet: no `processed_at`


def _values(item: NewNotification, now: datetime) -> dict[str, Any]:
    return {
        "received_at": now,
        "topic": item.topic[:60],
        "resource": item.resource[:300],
        "user_id": item.user_id,
        "notification_id": item.notification_id,
        "account_id": item.account_id,
        "kind": item.kind,
        "resource_id": item.resource_id,
        "origin": item.origin,
        "status": item.status.value,
        "reason": item.reason,
        "attempts": 0,
        "body": item.body,
        "body_sha256": item.body_sha256,
        "processed_at": None if item.status in WAITING else now,
    }


async def record_notifications(db: Database, items: Sequence[NewNotification]) -> list[int]:
    """Insert a batch in one transaction; returns the new ids in the order of `items`. (The webhook writes
    through `inbox_writer`, which is cheaper per batch on PostgreSQL.)"""
    if not items:
        return []
    now = utcnow()
    table = InboxRow.__table__  # type: ignore[attr-defined]
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    async with db.transaction() as session:
        connection = await session.connection()
        result = await connection.execute(statement, [_values(item, now) for item in items])
        return [int(row[0]) for row in result.all()]


async def get_row(db: Database, row_id: int) -> InboxRow | None:
    table = InboxRow.__table__  # type: ignore[attr-defined]
    async with db.connect(autocommit=True) as conn:
        found = (await conn.execute(select(table).where(table.c.id == row_id))).mappings().first()
    return None if found is None else InboxRow(**found)


ACCOUNT = "ml_account__"  # label prefix of the account's columns in the work query


@dataclass(frozen=True)
class Work:
    """What a job needs about its row, read in one query: the row, the newest row of its resource (`up_to`)
    and its seller account (None when the account is gone)."""

    row: InboxRow
    up_to: int
    account: MlAccount | None


@cache
def _work_query() -> Any:
    inbox, account = InboxRow.__table__, MlAccount.__table__  # type: ignore[attr-defined]
    later = inbox.alias("later")
    same_resource = (
        (later.c.account_id == inbox.c.account_id)
        & (later.c.kind == inbox.c.kind)
        & (later.c.resource_id == inbox.c.resource_id)
    )
    up_to = select(func.max(later.c.id)).where(same_resource).scalar_subquery()
    account_columns = [column.label(f"{ACCOUNT}{column.name}") for column in account.c]
    return (
        select(inbox, up_to.label("up_to"), *account_columns)
        .select_from(inbox.outerjoin(account, account.c.id == inbox.c.account_id))
        .where(inbox.c.id == bindparam("row_id"))
    )


async def load_work(db: Database, row_id: int) -> Work | None:
    async with db.connect(autocommit=True) as conn:
        found = (await conn.execute(_work_query(), {"row_id": row_id})).mappings().first()
    if found is None:
        return None
    columns = InboxRow.__table__.c.keys()  # type: ignore[attr-defined]
    row = InboxRow(**{column: found[column] for column in columns})
    account_values = {key.removeprefix(ACCOUNT): value for key, value in found.items() if key.startswith(ACCOUNT)}
    account = MlAccount(**account_values) if account_values["id"] is not None else None
    return Work(row, int(found["up_to"] or row_id), account)


def _same_resource(table: Any) -> Any:
    return (
        (table.c.account_id == bindparam("p_account_id"))
        & (table.c.kind == bindparam("p_kind"))
        & (table.c.resource_id == bindparam("p_resource_id"))
    )


@cache
def _finish_statement() -> Any:
    table = InboxRow.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            _same_resource(table),
            table.c.id <= bindparam("p_up_to"),
            table.c.status.in_([InboxStatus.PENDING.value, InboxStatus.PARKED.value]),
        )
        .values(
            status=bindparam("new_status"),
            reason=bindparam("new_reason"),
            processed_at=bindparam("now", type_=table.c.processed_at.type),
            attempts=table.c.attempts + 1,
        )
    )


async def finish_resource(
    db: Database, account_id: int, kind: str, resource_id: str, up_to: int, status: InboxStatus, reason: str | None
) -> int:
    """Close every pending (or parked) row of a resource up to `up_to`; returns how many."""
    params = {"p_account_id": account_id, "p_kind": kind, "p_resource_id": resource_id, "p_up_to": up_to}
    params |= {"new_status": status.value, "new_reason": reason, "now": utcnow()}
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(_finish_statement(), params)).rowcount)


async def set_row_status(db: Database, row_id: int, status: InboxStatus, reason: str | None) -> None:
    statement = (
        update(InboxRow)
        .where(col(InboxRow.id) == row_id)
        .values(status=status.value, reason=reason, processed_at=utcnow(), attempts=InboxRow.attempts + 1)
    )
    async with db.transaction() as session:
        await session.exec(statement)


async def rows_to_requeue(db: Database, older_than: timedelta, limit: int = 1000) -> list[tuple[int, int]]:
    """(id, attempts) of pending rows older than `older_than` (their job was lost) and of parked rows whose
    seller reconnected."""
    cutoff = utcnow() - older_than
    stale = (col(InboxRow.status) == InboxStatus.PENDING.value) & (col(InboxRow.received_at) < cutoff)
    resumed = (col(InboxRow.status) == InboxStatus.PARKED.value) & (col(MlAccount.status) == "active")
    statement = (
        select(col(InboxRow.id), col(InboxRow.attempts))
        .outerjoin(MlAccount, col(MlAccount.id) == col(InboxRow.account_id))
        .where(or_(stale, resumed))
        .order_by(col(InboxRow.id))
        .limit(limit)
    )
    async with db.transaction() as session:
        return [(int(row_id), int(attempts)) for row_id, attempts in (await session.exec(statement)).all() if row_id]


async def pending_count(db: Database, account_id: int, cap: int) -> int:
    """The seller's pending rows, counted up to `cap` (the bound the webhook enforces)."""
    table = InboxRow.__table__  # type: ignore[attr-defined]
    pending = (table.c.account_id == account_id) & (table.c.status == InboxStatus.PENDING.value)
    capped = select(table.c.id).where(pending).limit(cap).subquery()
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(select(func.count()).select_from(capped))).scalar_one())


async def count_by_status(db: Database) -> dict[str, int]:
    statement = select(col(InboxRow.status), func.count()).group_by(col(InboxRow.status))
    async with db.transaction() as session:
        return {status: int(count) for status, count in (await session.exec(statement)).all()}


async def oldest_pending_age(db: Database) -> float:
    """Seconds since the oldest pending row was received (0 when nothing is pending)."""
    statement = select(func.min(col(InboxRow.received_at))).where(col(InboxRow.status) == InboxStatus.PENDING.value)
    async with db.transaction() as session:
        oldest = (await session.exec(statement)).one()
    return 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


@cache
def _newest_open_query() -> Any:
    table = InboxRow.__table__  # type: ignore[attr-defined]
    return select(func.max(table.c.id)).where(_same_resource(table), table.c.status == InboxStatus.PENDING.value)


async def newest_open_row(db: Database, account_id: int, kind: str, resource_id: str) -> int | None:
    """The newest pending row of a resource, if any."""
    params = {"p_account_id": account_id, "p_kind": kind, "p_resource_id": resource_id}
    async with db.connect(autocommit=True) as conn:
        newest = (await conn.execute(_newest_open_query(), params)).scalar_one_or_none()
    return None if newest is None else int(newest)


FINISHED = tuple(s.value for s in (InboxStatus.DONE, InboxStatus.IGNORED, InboxStatus.FAILED, InboxStatus.THROTTLED))


async def prune_inbox(db: Database, older_than: timedelta, limit: int = 5000) -> int:
    """Delete up to `limit` done, ignored, failed or throttled rows received before `older_than` ago, oldest
    first; returns how many. (A throttled row that old was covered by the scheduled re-syncs meanwhile.)
    Pending and parked rows stay whatever their age: they are work."""
    table = InboxRow.__table__  # type: ignore[attr-defined]
    oldest = (
        select(table.c.id)
        .where(table.c.status.in_(FINISHED), table.c.received_at < utcnow() - older_than)
        .order_by(table.c.id)
        .limit(limit)
    )
    async with db.connect() as conn:
        return int((await conn.execute(table.delete().where(table.c.id.in_(oldest.scalar_subquery())))).rowcount)
