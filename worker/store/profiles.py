"""Subscribers (customers) and order objects: the records events point to."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import func, or_
from sqlmodel import col, select

from connectors.events import OrderSnapshot, Subscriber
from worker.store.db import Database
from worker.store.dialect import upsert_insert
from worker.store.models import OrderObject, SubscriberRow, utcnow

PROFILE_FIELDS = ("nickname", "first_name", "last_name", "email", "phone")


async def upsert_subscriber(db: Database, business_id: int, subscriber: Subscriber) -> int:
    """Insert or update the customer; a field the source no longer sends keeps its known value."""
    now = utcnow()
    values = {"business_id": business_id, "source": subscriber.source, "external_id": subscriber.external_id}
    values |= {name: getattr(subscriber, name) for name in PROFILE_FIELDS}
    insert = upsert_insert(db.dialect, SubscriberRow).values(**values, created_at=now, updated_at=now)
    table = SubscriberRow.__table__  # type: ignore[attr-defined]
    updates = {name: func.coalesce(insert.excluded[name], table.c[name]) for name in PROFILE_FIELDS}
    statement = insert.on_conflict_do_update(
        index_elements=["business_id", "source", "external_id"], set_={**updates, "updated_at": now}
    ).returning(table.c.id)
    async with db.transaction() as session:
        return int((await session.exec(statement)).scalar_one())


def _order_values(business_id: int, order: OrderSnapshot, subscriber_id: int | None) -> dict[str, object]:
    return {
        "business_id": business_id,
        "source": order.source,
        "reference": order.reference,
        "pack_id": order.pack_id,
        "status": order.status,
        "currency": order.currency,
        "total_amount": order.total_amount,
        "paid_amount": order.paid_amount,
        "items": [_item_json(item) for item in order.items],
        "shipment_id": order.shipment_id,
        "subscriber_id": subscriber_id,
        "source_created_at": order.created_at,
        "source_updated_at": order.updated_at,
        "raw": order.raw,
        "updated_at": utcnow(),
    }


def _item_json(item: object) -> dict[str, object]:
    data = asdict(item)  # type: ignore[call-overload]
    data["unit_price"] = str(data["unit_price"])
    return dict(data)


async def upsert_order_object(
    db: Database, business_id: int, order: OrderSnapshot, subscriber_id: int | None
) -> tuple[int, bool]:
    """Store the snapshot unless a newer one (by source `updated_at`) is already stored.

    Returns the order object id and whether this snapshot was written.
    """
    values = _order_values(business_id, order, subscriber_id)
    insert = upsert_insert(db.dialect, OrderObject).values(**values)
    table = OrderObject.__table__  # type: ignore[attr-defined]
    fresher = or_(table.c.source_updated_at.is_(None), table.c.source_updated_at <= insert.excluded.source_updated_at)
    keys = ("business_id", "source", "reference")
    statement = insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: insert.excluded[name] for name in values if name not in keys},
        where=fresher,
    ).returning(table.c.id)
    async with db.transaction() as session:
        written = (await session.exec(statement)).scalar_one_or_none()
        if written is not None:
            return int(written), True
        existing = await session.exec(
            select(col(OrderObject.id)).where(
                col(OrderObject.business_id) == business_id,
                col(OrderObject.source) == order.source,
                col(OrderObject.reference) == order.reference,
            )
        )
        return int(existing.one() or 0), False


async def order_references_for_shipment(db: Database, business_id: int, shipment_id: str) -> list[str]:
    """Orders of ours that ship in this shipment (a pack's orders share one)."""
    statement = select(col(OrderObject.reference)).where(
        col(OrderObject.business_id) == business_id, col(OrderObject.shipment_id) == shipment_id
    )
    async with db.transaction() as session:
        return sorted((await session.exec(statement)).all())
