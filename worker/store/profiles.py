"""Subscribers (customers) and order objects: the records events point to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select

from connectors.events import OrderSnapshot, Subscriber
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.dialect import upsert_insert
from worker.store.models import OrderObject, SubscriberRow

PROFILE_FIELDS = ("nickname", "first_name", "last_name", "email", "phone")
ORDER_KEYS = ("business_id", "source", "reference")
ORDER_COLUMNS = (
    *ORDER_KEYS, "pack_id", "status", "currency", "total_amount", "paid_amount", "items", "shipment_id",
    "subscriber_id", "source_created_at", "source_updated_at", "raw", "updated_at",
)  # fmt: skip


@cache
def _subscriber_upsert(dialect: str) -> Any:
    """Built once per dialect and executed with parameters, so SQLAlchemy's compiled cache is hit every time."""
    insert = upsert_insert(dialect, SubscriberRow)
    table = SubscriberRow.__table__  # type: ignore[attr-defined]
    updates = {name: func.coalesce(insert.excluded[name], table.c[name]) for name in PROFILE_FIELDS}
    return insert.on_conflict_do_update(
        index_elements=["business_id", "source", "external_id"],
        set_={**updates, "updated_at": insert.excluded.updated_at},
    ).returning(table.c.id)


async def upsert_subscriber_in(conn: AsyncConnection, business_id: int, subscriber: Subscriber) -> int:
    """Insert or update the customer; a field the source no longer sends keeps its known value."""
    now = utcnow()
    values = {"business_id": business_id, "source": subscriber.source, "external_id": subscriber.external_id}
    values |= {name: getattr(subscriber, name) for name in PROFILE_FIELDS}
    values |= {"created_at": now, "updated_at": now}
    return int((await conn.execute(_subscriber_upsert(conn.dialect.name), values)).scalar_one())


async def upsert_subscribers_in(
    conn: AsyncConnection, business_id: int, subscribers: Sequence[Subscriber]
) -> dict[str, int]:
    """`upsert_subscriber_in` for many customers in one statement; ids by external id. A customer named twice
    keeps each field's last known value."""
    merged: dict[str, dict[str, object]] = {}
    now = utcnow()
    for subscriber in subscribers:
        values = merged.setdefault(
            subscriber.external_id,
            {"business_id": business_id, "source": subscriber.source, "external_id": subscriber.external_id,
             "created_at": now, "updated_at": now} | dict.fromkeys(PROFILE_FIELDS),
        )  # fmt: skip
        values.update({name: getattr(subscriber, name) for name in PROFILE_FIELDS if getattr(subscriber, name)})
    if not merged:
        return {}
    table = SubscriberRow.__table__  # type: ignore[attr-defined]
    statement = _subscriber_upsert(conn.dialect.name).returning(table.c.external_id)
    rows = (await conn.execute(statement, list(merged.values()))).all()
    return {str(external_id): int(row_id) for row_id, external_id in rows}


async def upsert_order_objects_in(
    conn: AsyncConnection, business_id: int, orders: Sequence[tuple[OrderSnapshot, int | None]]
) -> dict[str, int]:
    """`upsert_order_object_in` for many orders (distinct references) in one statement, plus one query for the
    ids of those a newer stored snapshot kept; ids by reference."""
    if not orders:
        return {}
    table = OrderObject.__table__  # type: ignore[attr-defined]
    values = [_order_values(business_id, order, subscriber_id) for order, subscriber_id in orders]
    statement = _order_upsert(conn.dialect.name).returning(table.c.reference)
    ids = {str(reference): int(row_id) for row_id, reference in (await conn.execute(statement, values)).all()}
    kept = [str(value["reference"]) for value in values if value["reference"] not in ids]
    if kept:
        source = str(values[0]["source"])
        query = select(table.c.id, table.c.reference).where(
            table.c.business_id == business_id, table.c.source == source, table.c.reference.in_(kept)
        )
        ids |= {str(reference): int(row_id) for row_id, reference in (await conn.execute(query)).all()}
    return ids


async def order_references_for_shipments(
    db: Database, business_id: int, shipment_ids: Sequence[str]
) -> dict[str, list[str]]:
    """`order_references_for_shipment` for many shipments in one query."""
    if not shipment_ids:
        return {}
    table = OrderObject.__table__  # type: ignore[attr-defined]
    statement = select(table.c.shipment_id, table.c.reference).where(
        table.c.business_id == business_id, table.c.shipment_id.in_(list(shipment_ids))
    )
    found: dict[str, list[str]] = {}
    async with db.connect(autocommit=True) as conn:
        for shipment_id, reference in (await conn.execute(statement)).all():
            found.setdefault(str(shipment_id), []).append(str(reference))
    return {shipment_id: sorted(references) for shipment_id, references in found.items()}


async def upsert_subscriber(db: Database, business_id: int, subscriber: Subscriber) -> int:
    async with db.connect() as conn:
        return await upsert_subscriber_in(conn, business_id, subscriber)


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


@cache
def _order_upsert(dialect: str) -> Any:
    insert = upsert_insert(dialect, OrderObject)
    table = OrderObject.__table__  # type: ignore[attr-defined]
    fresher = or_(table.c.source_updated_at.is_(None), table.c.source_updated_at <= insert.excluded.source_updated_at)
    return insert.on_conflict_do_update(
        index_elements=list(ORDER_KEYS),
        set_={name: insert.excluded[name] for name in ORDER_COLUMNS if name not in ORDER_KEYS},
        where=fresher,
    ).returning(table.c.id)


@cache
def _order_id_query() -> Any:
    table = OrderObject.__table__  # type: ignore[attr-defined]
    return select(table.c.id).where(*(table.c[key] == bindparam(key) for key in ORDER_KEYS))


async def upsert_order_object_in(
    conn: AsyncConnection, business_id: int, order: OrderSnapshot, subscriber_id: int | None
) -> tuple[int, bool]:
    """Store the snapshot unless a newer one (by source `updated_at`) is already stored.

    Returns the order object id and whether this snapshot was written.
    """
    values = _order_values(business_id, order, subscriber_id)
    written = (await conn.execute(_order_upsert(conn.dialect.name), values)).scalar_one_or_none()
    if written is not None:
        return int(written), True
    keys = {key: values[key] for key in ORDER_KEYS}
    return int((await conn.execute(_order_id_query(), keys)).scalar_one()), False


async def upsert_order_object(
    db: Database, business_id: int, order: OrderSnapshot, subscriber_id: int | None
) -> tuple[int, bool]:
    async with db.connect() as conn:
        return await upsert_order_object_in(conn, business_id, order, subscriber_id)


async def order_references_for_shipment(db: Database, business_id: int, shipment_id: str) -> list[str]:
    """Orders of ours that ship in this shipment (a pack's orders share one)."""
    table = OrderObject.__table__  # type: ignore[attr-defined]
    statement = select(table.c.reference).where(table.c.business_id == business_id, table.c.shipment_id == shipment_id)
    async with db.connect(autocommit=True) as conn:
        return sorted((await conn.execute(statement)).scalars().all())
