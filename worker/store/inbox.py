"""The notification inbox: what the webhook recorded, and what became of it.

A row is written before the webhook answers 200, so a notification survives any crash and a Redis flush.
Drains work a seller's rows a batch at a time (worker/store/inbox_batch.py, worker/pipeline/drain.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import InboxRow, InboxStatus


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


async def count_pending(db: Database) -> int:
    """Pending rows (due now or waiting for a retry): one count over the (status, id) index."""
    statement = select(func.count()).where(col(InboxRow.status) == InboxStatus.PENDING.value)
    async with db.transaction() as session:
        return int((await session.exec(statement)).one())


async def oldest_pending_age(db: Database) -> float:
    """Seconds since the oldest pending row was received (0 when nothing is pending)."""
    statement = select(func.min(col(InboxRow.received_at))).where(col(InboxRow.status) == InboxStatus.PENDING.value)
    async with db.transaction() as session:
        oldest = (await session.exec(statement)).one()
    return 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


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
