"""When an account last showed signs of life (its latest notification and its business's latest event), and
the latest events of the account's own orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.events import EventView, event_view
from worker.store.models import DocumentRow, EventRow, InboxRow, OrderObject, SubscriberRow


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


async def recent_events(db: Database, account_id: int, business_id: int, limit: int = 10) -> list[EventView]:
    """The `limit` latest stored events of the orders this account sold, newest first. Events do not name the
    seller; the account's raw order documents do (they are kept for every order it synced)."""
    own_orders = select(col(DocumentRow.ref)).where(
        col(DocumentRow.account_id) == account_id, col(DocumentRow.kind) == "order"
    )
    statement = (
        select(EventRow, col(SubscriberRow.external_id), col(OrderObject.reference))
        .join(SubscriberRow, col(SubscriberRow.id) == col(EventRow.subscriber_id))
        .join(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
        .where(col(EventRow.business_id) == business_id, col(OrderObject.reference).in_(own_orders))
        .order_by(col(EventRow.id).desc())
        .limit(limit)
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [event_view(event, external_id, reference) for event, external_id, reference in rows]


def _aware(moment: datetime | str | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite (a naive string comes back): read it as UTC."""
    if moment is None:
        return None
    from datetime import UTC

    parsed = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
