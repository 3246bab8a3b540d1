"""Storing what syncing orders gave: their raw documents, customers, order objects and events, for one order or a
whole batch, in one transaction and a handful of statements whatever the batch size.

Each statement is insert-or-ignore or upsert, so writing the same result twice adds nothing; an older order
snapshot never overwrites a newer one (worker/store/profiles.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.events import Event, OrderSnapshot, Subscriber
from worker.store.db import Database
from worker.store.documents import RawDocument, save_documents_in
from worker.store.events import EventRecord, append_events_per_order_in
from worker.store.profiles import upsert_order_objects_in, upsert_subscribers_in


@dataclass(frozen=True)
class OrderWrite:
    """One synced order: its customer, its snapshot and events, how they reached us, and the raw documents."""

    subscriber: Subscriber
    order: OrderSnapshot
    events: Sequence[Event]
    origin: str
    documents: Sequence[RawDocument] = field(default=())
    historical_before: datetime | None = None  # events tracked before it get `properties.historical`


def _properties(event: Event, historical_before: datetime | None) -> dict[str, Any]:
    if historical_before is not None and event.tracked_at < historical_before:
        return {**event.properties, "historical": True}
    return dict(event.properties)


def _records(write: OrderWrite, subscriber_id: int, order_object_id: int) -> list[EventRecord]:
    return [
        EventRecord(
            action=event.action.value, subscriber_id=subscriber_id, order_object_id=order_object_id,
            tracked_at=event.tracked_at, dedupe_key=event.dedupe_key, source=write.order.source, origin=write.origin,
            amount=event.amount, currency=event.currency, properties=_properties(event, write.historical_before),
        )
        for event in write.events
    ]  # fmt: skip


async def write_orders(
    db: Database, business_id: int, account_id: int, writes: Sequence[OrderWrite]
) -> list[Counter[str]]:
    """Store every write in one transaction; returns, per write, its newly stored events by action."""
    if not writes:
        return []
    # Rows are written in key order, table by table, so transactions of overlapping batches take their row locks
    # in the same order and never deadlock.
    ordered = sorted(writes, key=lambda write: write.order.reference)
    # A document two orders share (a pack's shipment) is written once: one upsert may not touch a row twice.
    unique = {(d.kind, d.ref): d for write in ordered for d in write.documents}
    documents = [unique[key] for key in sorted(unique)]
    async with db.connect() as conn:
        await save_documents_in(conn, account_id, documents)
        people = sorted((write.subscriber for write in ordered), key=lambda subscriber: subscriber.external_id)
        subscribers = await upsert_subscribers_in(conn, business_id, people)
        pairs = [(write.order, subscribers[write.subscriber.external_id]) for write in ordered]
        orders = await upsert_order_objects_in(conn, business_id, pairs)
        records = sorted(
            (
                record
                for write in ordered
                for record in _records(write, subscribers[write.subscriber.external_id], orders[write.order.reference])
            ),
            key=lambda record: record.dedupe_key,
        )
        added = await append_events_per_order_in(conn, business_id, records)
    by_order = {order_id: Counter(actions) for order_id, actions in added.items()}
    return [by_order.get(orders[write.order.reference], Counter()) for write in writes]
