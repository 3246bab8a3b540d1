"""When an account last showed signs of life: its latest notification and its business's latest event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.models import EventRow, InboxRow


@dataclass(frozen=True)
class Activity:
    last_notification_at: datetime | None
    last_event_at: datetime | None


async def account_activity(db: Database, account_id: int, business_id: int) -> Activity:
    notified = select(func.max(col(InboxRow.received_at))).where(col(InboxRow.account_id) == account_id)
    tracked = select(func.max(col(EventRow.recorded_at))).where(col(EventRow.business_id) == business_id)
    async with db.transaction() as session:
        last_notification = (await session.exec(notified)).one()
        last_event = (await session.exec(tracked)).one()
    return Activity(_aware(last_notification), _aware(last_event))


def _aware(moment: datetime | str | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite (a naive string comes back): read it as UTC."""
    if moment is None:
        return None
    from datetime import UTC

    parsed = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
