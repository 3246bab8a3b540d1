"""What the business API reads: a filtered page of events, a subscriber, an order snapshot.

Events come in one of two orders. `id` is the order we stored them in: a stream that never skips or repeats,
even when an import adds old events later. `tracked_at` is the order they happened in (ties by id): right for
reading a period, but an event stored later with an earlier time lands before a cursor already passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import and_, col, func, or_, select

from worker.store.db import Database
from worker.store.events import EventView, event_view
from worker.store.models import EventRow, OrderObject, SubscriberRow


@dataclass(frozen=True)
class EventFilter:
    """Only events matching every field that is set."""

    action: str | None = None
    origin: str | None = None
    order: str | None = None  # the order's reference (its Mercado Libre order id)
    subscriber: str | None = None  # the subscriber's external id (the buyer's Mercado Libre id)
    tracked_since: datetime | None = None  # inclusive
    tracked_until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Position:
    """Where a page starts. Both bounds hold in either order: events stored after id `after`, and events past the
    point (`tracked_at`, `point_id`) of the tracked_at order; each order pages on its own bound."""

    after: int = 0
    tracked_at: datetime | None = None
    point_id: int = 0


def _where(statement: Any, business_id: int, only: EventFilter) -> Any:
    statement = statement.where(col(EventRow.business_id) == business_id)
    if only.action is not None:
        statement = statement.where(col(EventRow.action) == only.action)
    if only.origin is not None:
        statement = statement.where(col(EventRow.origin) == only.origin)
    if only.order is not None:
        statement = statement.where(col(OrderObject.reference) == only.order)
    if only.subscriber is not None:
        statement = statement.where(col(SubscriberRow.external_id) == only.subscriber)
    if only.tracked_since is not None:
        statement = statement.where(col(EventRow.tracked_at) >= only.tracked_since)
    if only.tracked_until is not None:
        statement = statement.where(col(EventRow.tracked_at) < only.tracked_until)
    return statement


def _ordered(statement: Any, by_time: bool, start: Position) -> Any:
    if start.after or not by_time:
        statement = statement.where(col(EventRow.id) > start.after)
    if start.tracked_at is not None:
        later = col(EventRow.tracked_at) > start.tracked_at
        same = and_(col(EventRow.tracked_at) == start.tracked_at, col(EventRow.id) > start.point_id)
        statement = statement.where(or_(later, same))
    if by_time:
        return statement.order_by(col(EventRow.tracked_at), col(EventRow.id))
    return statement.order_by(col(EventRow.id))


async def read_event_page(
    db: Database, business_id: int, only: EventFilter, start: Position, limit: int, by_time: bool = False
) -> tuple[list[EventView], bool]:
    """Up to `limit` events of the business from `start`, and whether more match after them."""
    statement = (
        select(EventRow, col(SubscriberRow.external_id), col(OrderObject.reference))
        .join(SubscriberRow, col(SubscriberRow.id) == col(EventRow.subscriber_id))
        .outerjoin(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
    )
    statement = _ordered(_where(statement, business_id, only), by_time, start).limit(limit + 1)
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    views = [event_view(event, external_id, reference) for event, external_id, reference in rows]
    return views[:limit], len(views) > limit


async def subscriber_by_external_id(db: Database, business_id: int, external_id: str) -> SubscriberRow | None:
    statement = select(SubscriberRow).where(
        col(SubscriberRow.business_id) == business_id, col(SubscriberRow.external_id) == external_id
    )
    async with db.transaction() as session:
        return (await session.exec(statement.order_by(col(SubscriberRow.id)))).first()


async def order_by_reference(
    db: Database, business_id: int, reference: str
) -> tuple[OrderObject, SubscriberRow | None] | None:
    """The order's latest snapshot and its subscriber."""
    statement = (
        select(OrderObject, SubscriberRow)
        .outerjoin(SubscriberRow, col(SubscriberRow.id) == col(OrderObject.subscriber_id))
        .where(col(OrderObject.business_id) == business_id, col(OrderObject.reference) == reference)
        .order_by(col(OrderObject.id))
    )
    async with db.transaction() as session:
        found = (await session.exec(statement)).first()
    return None if found is None else (found[0], found[1])


async def count_events(db: Database, business_id: int | None = None) -> int:
    statement = select(func.count(col(EventRow.id)))
    if business_id is not None:
        statement = statement.where(col(EventRow.business_id) == business_id)
    async with db.transaction() as session:
        return int((await session.exec(statement)).one())
