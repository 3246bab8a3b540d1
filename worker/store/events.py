"""Appending and reading events. Appends are insert-or-ignore on (business, `dedupe_key`): same semantics on both
databases, one statement per batch, so replays and concurrent workers never store an event twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from connectors.errors import InvalidRecord
from connectors.events import Origin, parse_action, require_aware, require_decimal
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.dialect import upsert_insert
from worker.store.models import EventRow, OrderObject, SubscriberRow
from worker.store.outbox import add_deliveries_in
from worker.store.webhook_outbox import add_event_messages_in


@dataclass(frozen=True)
class EventRecord:
    """An event ready to store: the mapping's event with its subscriber and order object resolved to ids."""

    action: str
    subscriber_id: int
    tracked_at: datetime
    dedupe_key: str
    source: str
    origin: str = Origin.LIVE.value
    order_object_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventView:
    id: int
    business_id: int
    action: str
    tracked_at: datetime
    amount: Decimal | None
    currency: str | None
    order_reference: str | None
    subscriber_external_id: str
    dedupe_key: str
    origin: str
    source: str
    properties: dict[str, Any]
    recorded_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "business_id": self.business_id,
            "action": self.action,
            "tracked_at": iso_z(self.tracked_at),
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "order_reference": self.order_reference,
            "subscriber_external_id": self.subscriber_external_id,
            "dedupe_key": self.dedupe_key,
            "origin": self.origin,
            "source": self.source,
            "properties": self.properties,
            "recorded_at": iso_z(self.recorded_at),
        }


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _row(business_id: int, record: EventRecord, recorded_at: datetime) -> dict[str, Any]:
    parse_action(record.action)
    require_aware("tracked_at", record.tracked_at)
    require_decimal("amount", record.amount)
    if not record.dedupe_key:
        raise InvalidRecord("dedupe_key", "must not be empty")
    if record.origin not in set(Origin):
        raise InvalidRecord("origin", f"{record.origin!r} is not one of {', '.join(Origin)}")
    return {
        "action": record.action,
        "business_id": business_id,
        "subscriber_id": record.subscriber_id,
        "order_object_id": record.order_object_id,
        "tracked_at": record.tracked_at,
        "amount": record.amount,
        "currency": record.currency,
        "properties": record.properties,
        "source": record.source,
        "origin": record.origin,
        "dedupe_key": record.dedupe_key,
        "recorded_at": recorded_at,
    }


async def append_events(db: Database, business_id: int, records: Sequence[EventRecord]) -> int:
    """Store the events not stored yet; returns how many were new. All or nothing per call."""
    async with db.connect() as conn:
        added = await append_events_per_order_in(conn, business_id, records)
    return sum(len(actions) for actions in added.values())


@cache
def _event_insert(dialect: str) -> Any:
    return (
        upsert_insert(dialect, EventRow)
        .on_conflict_do_nothing(index_elements=["business_id", "dedupe_key"])
        .returning(EventRow.__table__.c.action, EventRow.__table__.c.id)  # type: ignore[attr-defined]
    )


async def append_events_per_order_in(
    conn: AsyncConnection, business_id: int, records: Sequence[EventRecord]
) -> dict[int | None, list[str]]:
    """Store the events not stored yet; returns the actions newly stored for each order object."""
    now = utcnow()
    rows = [_row(business_id, record, now) for record in records]
    if not rows:
        return {}
    statement = _event_insert(conn.dialect.name).returning(EventRow.__table__.c.order_object_id)  # type: ignore[attr-defined]
    added: dict[int | None, list[str]] = {}
    stored = (await conn.execute(statement, rows)).all()
    event_ids = [event_id for _, event_id, _ in stored]
    await add_deliveries_in(conn, business_id, event_ids, now)
    await add_event_messages_in(conn, business_id, event_ids, now)
    for action, _, order_object_id in stored:
        added.setdefault(order_object_id, []).append(action)
    return added


async def read_events(
    db: Database, *, business_id: int | None = None, after: int = 0, limit: int = 100
) -> list[EventView]:
    """Events with id > `after`, oldest first: a cursor that never skips or repeats."""
    statement = (
        select(EventRow, col(SubscriberRow.external_id), col(OrderObject.reference))
        .join(SubscriberRow, col(SubscriberRow.id) == col(EventRow.subscriber_id))
        .outerjoin(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
        .where(col(EventRow.id) > after)
        .order_by(col(EventRow.id))
        .limit(limit)
    )
    if business_id is not None:
        statement = statement.where(col(EventRow.business_id) == business_id)
    async with db.transaction() as session:
        result = await session.exec(statement)
        return [event_view(event, external_id, reference) for event, external_id, reference in result.all()]


def event_view(event: EventRow, external_id: str, reference: str | None) -> EventView:
    assert event.id is not None
    return EventView(
        id=event.id,
        business_id=event.business_id,
        action=event.action,
        tracked_at=event.tracked_at,
        amount=event.amount,
        currency=event.currency,
        order_reference=reference,
        subscriber_external_id=external_id,
        dedupe_key=event.dedupe_key,
        origin=event.origin,
        source=event.source,
        properties=event.properties,
        recorded_at=event.recorded_at,
    )
