"""The inbox keeps `inbox_retention_days` of finished rows (done, ignored, failed, throttled); pending and parked
rows stay whatever their age."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from worker.clock import utcnow
from worker.jobs.runtime import build_worker
from worker.redis_keys import cron_job
from worker.settings import Settings
from worker.store.db import Database
from worker.store.inbox import NewNotification, prune_inbox, record_notifications
from worker.store.models import InboxRow, InboxStatus

# (status, age in days) of each row, in id order
ROWS = [
    ("done", 40), ("ignored", 35), ("pending", 50), ("failed", 60), ("parked", 45), ("done", 31), ("done", 29),
    ("ignored", 1), ("throttled", 33), ("failed", 2),
]  # fmt: skip


async def inbox_of(db: Database) -> list[tuple[str, int]]:
    async with db.transaction() as session:
        rows = (await session.exec(select(InboxRow).order_by(col(InboxRow.id)))).all()
    return [(row.status, round((utcnow() - row.received_at).total_seconds() / 86400)) for row in rows]


async def test_finished_rows_past_the_retention_go_oldest_first_in_batches(db: Database) -> None:
    note = NewNotification("orders_v2", "/orders/1", 42, {}, InboxStatus.PENDING)
    ids = await record_notifications(db, [note] * len(ROWS))
    async with db.connect() as conn:
        for row_id, (status, days) in zip(ids, ROWS, strict=True):
            received = utcnow() - timedelta(days=days)
            await conn.execute(
                update(InboxRow).where(col(InboxRow.id) == row_id).values(status=status, received_at=received)
            )

    first = await prune_inbox(db, timedelta(days=30), limit=2)
    after_first = await inbox_of(db)
    rest = [await prune_inbox(db, timedelta(days=30), limit=2) for _ in range(3)]

    assert (first, rest) == (2, [2, 1, 0])
    assert after_first == [
        ("pending", 50), ("failed", 60), ("parked", 45), ("done", 31), ("done", 29), ("ignored", 1), ("throttled", 33),
        ("failed", 2),
    ]  # fmt: skip
    assert await inbox_of(db) == [("pending", 50), ("parked", 45), ("done", 29), ("ignored", 1), ("failed", 2)]


def test_the_worker_prunes_the_inbox_every_hour(settings: Settings) -> None:
    worker = build_worker(settings, handle_signals=False)
    prune = [job for job in worker.cron_jobs if job.name == cron_job(settings.queue_name, "prune_inbox_rows")]

    assert [(job.minute, job.second, job.unique) for job in prune] == [(17, 30, True)]
