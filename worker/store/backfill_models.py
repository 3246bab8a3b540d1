"""Tables of the import of past orders: a run per seller and phase, and the windows of its date range."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from worker.store.models import _time


class BackfillStatus(StrEnum):
    QUEUED = "queued"  # waits for a job (a slice of the backfill job)
    RUNNING = "running"  # a job works on it; `updated_at` is its heartbeat
    PARKED = "parked"  # the seller must reconnect; resumes after that
    DONE = "done"
    FAILED = "failed"  # gave up on a permanent error; `reason` says why


class WindowStatus(StrEnum):
    PENDING = "pending"  # pages left to walk from `next_offset`
    DONE = "done"  # walked to the end
    SPLIT = "split"  # over the offset cap: its children cover it


class BackfillRun(SQLModel, table=True):
    """One import of a seller's past orders over [since, until): a phase of the initial import or a manual run.

    `open_key` is "{account_id}:{phase}" while the run is not finished and NULL after, so a second open run of
    the same account and phase cannot be stored (NULLs never collide)."""

    __tablename__ = "backfill"
    __table_args__ = (
        Index("ix_backfill_account_id_status", "account_id", "status"),
        UniqueConstraint("open_key", name="uq_backfill_open_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="ml_account.id")
    phase: str = Field(max_length=10)
    priority: int = Field(default=0)
    status: str = Field(max_length=10)
    open_key: str | None = Field(default=None, max_length=40)
    since: datetime = _time()
    until: datetime = _time()
    historical_before: datetime = _time()
    orders_found: int = Field(default=0)
    orders_done: int = Field(default=0)
    orders_failed: int = Field(default=0)
    events_added: int = Field(default=0)
    api_calls: int = Field(default=0)
    slices: int = Field(default=0)
    failures: int = Field(default=0)
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    started_at: datetime | None = _time(nullable=True)
    finished_at: datetime | None = _time(nullable=True)


class BackfillWindow(SQLModel, table=True):
    """A slice [starts_at, ends_at) of a run's date range, walked page by page; `next_offset` is its checkpoint.

    A window whose search total exceeds the offset cap is `split` into children that cover it exactly."""

    __tablename__ = "backfill_window"
    __table_args__ = (Index("ix_backfill_window_open", "backfill_id", "status", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    backfill_id: int = Field(foreign_key="backfill.id")
    parent_id: int | None = Field(default=None)
    starts_at: datetime = _time()
    ends_at: datetime = _time()
    status_filter: str | None = Field(default=None, max_length=20)
    status: str = Field(max_length=10)
    next_offset: int = Field(default=0)
    total: int | None = Field(default=None)
    orders_done: int = Field(default=0)
    events_added: int = Field(default=0)
    updated_at: datetime = _time()
