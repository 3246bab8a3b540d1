"""The outbox's read and update side: the deliveries a business's lane may work now (with what they need to
be sent), their outcomes, and the listing, retry and skip a person uses on the review queue."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.delivery_models import Delivery, DeliveryStatus
from worker.store.events import iso_z
from worker.store.models import EventRow, OrderObject, SubscriberRow


@dataclass(frozen=True)
class DeliveryWork:
    """One delivery with its event, buyer and order, as the relay needs them."""

    id: int
    attempts: int
    uncertain: bool
    first_failed_at: datetime | None
    action: str
    tracked_at: datetime
    amount: Decimal | None
    currency: str | None
    buyer: SubscriberRow
    order: OrderObject | None


def _pending() -> Any:
    return col(Delivery.status) == DeliveryStatus.PENDING.value


async def due_work(db: Database, business_id: int, now: datetime, limit: int) -> list[DeliveryWork]:
    """Due deliveries in the order their events happened, leaving out every order with a delivery that waits
    (after a failure): an order's events reach Hellotext in order."""
    waiting = select(Delivery.event_id).where(
        col(Delivery.business_id) == business_id, _pending(), col(Delivery.due_at) > now
    )
    waiting_orders = select(EventRow.order_object_id).where(
        col(EventRow.id).in_(waiting), col(EventRow.order_object_id).is_not(None)
    )
    statement = (
        select(Delivery, EventRow, SubscriberRow, OrderObject)
        .join(EventRow, col(EventRow.id) == col(Delivery.event_id))
        .join(SubscriberRow, col(SubscriberRow.id) == col(EventRow.subscriber_id))
        .outerjoin(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
        .where(col(Delivery.business_id) == business_id, _pending(), col(Delivery.due_at) <= now)
        .where(col(EventRow.order_object_id).is_(None) | col(EventRow.order_object_id).not_in(waiting_orders))
        .order_by(col(EventRow.tracked_at), col(EventRow.id))
        .limit(limit)
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [_work(delivery, event, buyer, order) for delivery, event, buyer, order in rows]


def _work(delivery: Delivery, event: EventRow, buyer: SubscriberRow, order: OrderObject | None) -> DeliveryWork:
    assert delivery.id is not None
    return DeliveryWork(
        id=delivery.id, attempts=delivery.attempts, uncertain=delivery.uncertain,
        first_failed_at=delivery.first_failed_at, action=event.action, tracked_at=event.tracked_at,
        amount=event.amount, currency=event.currency, buyer=buyer, order=order,
    )  # fmt: skip


async def set_delivery(db: Database, delivery_id: int, **values: Any) -> None:
    await set_deliveries(db, [delivery_id], **values)


async def set_deliveries(db: Database, delivery_ids: list[int], **values: Any) -> None:
    """One statement for the whole list (e.g. every delivery of a lane's round that Hellotext received)."""
    if not delivery_ids:
        return
    statement = update(Delivery).where(col(Delivery.id).in_(delivery_ids)).values(**values)
    async with db.connect(autocommit=True) as conn:  # Core: no ORM session reading the rows first
        await conn.execute(statement)


async def wake_failed_since(db: Database, business_id: int, since: datetime, now: datetime) -> int:
    """Make due now the pending deliveries that wait after failures that all came since `since` (when the lane
    began to rest: Hellotext answers again after an outage), however many times they failed meanwhile. One
    that failed before the outage keeps its backoff, so an event Hellotext keeps failing is never woken by an
    outage it caused itself and holds up its business's lane no more than backoff allows. Returns how many."""
    statement = (
        update(Delivery)
        .where(col(Delivery.business_id) == business_id, _pending(), col(Delivery.due_at) > now)
        .where(col(Delivery.first_failed_at) >= since)
        .values(due_at=now)
    )
    async with db.connect(autocommit=True) as conn:
        return int((await conn.execute(statement)).rowcount or 0)


async def mark_delivered(db: Database, delivery_ids: list[int], now: datetime) -> None:
    done = {"status": DeliveryStatus.DELIVERED.value, "delivered_at": now, "last_status": 200, "reason": None}
    await set_deliveries(db, delivery_ids, **done, attempts=col(Delivery.attempts) + 1, uncertain=False)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: int
    action: str
    tracked_at: datetime
    status: str
    attempts: int
    last_status: int | None
    reason: str | None
    due_at: datetime
    delivered_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "event_id": self.event_id, "action": self.action, "tracked_at": iso_z(self.tracked_at),
            "status": self.status, "attempts": self.attempts, "last_status": self.last_status, "reason": self.reason,
            "due_at": iso_z(self.due_at),
            "delivered_at": None if self.delivered_at is None else iso_z(self.delivered_at),
        }  # fmt: skip


async def list_deliveries(
    db: Database, business_id: int, status: str | None = None, after: int = 0, limit: int = 100
) -> list[DeliveryView]:
    statement = (
        select(Delivery, EventRow.action, EventRow.tracked_at)
        .join(EventRow, col(EventRow.id) == col(Delivery.event_id))
        .where(col(Delivery.business_id) == business_id, col(Delivery.id) > after)
        .order_by(col(Delivery.id))
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(col(Delivery.status) == status)
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [
        DeliveryView(d.id or 0, d.event_id, action, tracked_at, d.status, d.attempts, d.last_status, d.reason,
                     d.due_at, d.delivered_at)
        for d, action, tracked_at in rows
    ]  # fmt: skip


async def count_by_status(db: Database, business_id: int) -> dict[str, int]:
    statement = (
        select(Delivery.status, func.count())
        .where(col(Delivery.business_id) == business_id)
        .group_by(col(Delivery.status))
    )
    async with db.transaction() as session:
        return {status: count for status, count in (await session.exec(statement)).all()}


async def retry_delivery(db: Database, business_id: int, delivery_id: int, now: datetime) -> bool:
    """Send a delivery in review (or skipped) again, from a fresh budget; False when no such delivery."""
    return await _reopen(db, business_id, delivery_id, status=DeliveryStatus.PENDING.value, due_at=now,
                         attempts=0, first_failed_at=None, uncertain=False)  # fmt: skip


async def skip_delivery(db: Database, business_id: int, delivery_id: int) -> bool:
    return await _reopen(db, business_id, delivery_id, status=DeliveryStatus.SKIPPED.value, reason="skipped by hand")


async def _reopen(db: Database, business_id: int, delivery_id: int, **values: Any) -> bool:
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.business_id) == business_id)
        .where(col(Delivery.status) != DeliveryStatus.DELIVERED.value)
        .values(**values)
    )
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount)


@dataclass(frozen=True)
class OpenDeliveries:
    """A business's deliveries not yet done: pending (and of those, how many had an answer lost) and in review."""

    pending: int = 0
    uncertain: int = 0
    review: int = 0
    oldest_pending: datetime | None = None  # when the oldest pending delivery's event was stored


async def open_deliveries(db: Database) -> dict[int, OpenDeliveries]:
    """Per business with anything open; reads only pending and review rows (index ix_delivery_open)."""
    open_statuses = [DeliveryStatus.PENDING.value, DeliveryStatus.REVIEW.value]
    statement = (
        sql_select(
            col(Delivery.business_id), col(Delivery.status), func.count(),
            func.sum(case((col(Delivery.uncertain), 1), else_=0)), func.min(col(Delivery.created_at)),
        )
        .where(col(Delivery.status).in_(open_statuses))
        .group_by(col(Delivery.business_id), col(Delivery.status))
    )  # fmt: skip
    async with db.connect() as conn:
        rows = (await conn.execute(statement)).all()
    found: dict[int, OpenDeliveries] = {}
    for business_id, status, count, uncertain, oldest in rows:
        known = found.get(business_id, OpenDeliveries())
        if status == DeliveryStatus.PENDING.value:
            found[business_id] = replace(known, pending=count, uncertain=int(uncertain or 0), oldest_pending=oldest)
        else:
            found[business_id] = replace(known, review=count)
    return found
