"""Subscribers and order objects."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from connectors.events import OrderItem, OrderSnapshot, Subscriber
from tests.harness.shop import T0, Shop
from worker.store.db import Database
from worker.store.models import OrderObject, SubscriberRow
from worker.store.profiles import upsert_order_object, upsert_subscriber


def snapshot(status: str, updated_minutes: int, paid: str | None = None) -> OrderSnapshot:
    return OrderSnapshot(
        reference="2000009876543210",
        source="mercadolibre",
        status=status,
        updated_at=T0 + timedelta(minutes=updated_minutes),
        currency="COP",
        total_amount=Decimal("15999.00"),
        paid_amount=None if paid is None else Decimal(paid),
        items=(OrderItem("MCO1400123456", "Auriculares X2", 1, Decimal("15999.00"), "AUR-X2", "1800"),),
        raw={"id": 2000009876543210, "status": status},
    )


async def stored_order(db: Database, order_id: int) -> OrderObject:
    async with db.transaction() as session:
        order = await session.get(OrderObject, order_id)
    assert order is not None
    return order


async def test_newer_snapshot_replaces_older_one(db: Database, shop: Shop) -> None:
    order_id, written = await upsert_order_object(db, shop.business_id, snapshot("cancelled", 10), None)

    order = await stored_order(db, order_id)
    assert (order_id, written, order.status, order.paid_amount) == (shop.order_id, True, "cancelled", None)
    assert order.items == [
        {
            "item_id": "MCO1400123456",
            "title": "Auriculares X2",
            "quantity": 1,
            "unit_price": "15999.00",
            "seller_sku": "AUR-X2",
            "variation_id": "1800",
        }
    ]


async def test_stale_snapshot_never_overwrites_a_newer_one(db: Database, shop: Shop) -> None:
    await upsert_order_object(db, shop.business_id, snapshot("cancelled", 10), None)

    order_id, written = await upsert_order_object(db, shop.business_id, snapshot("paid", 5, "15999.00"), None)

    order = await stored_order(db, order_id)
    assert (order_id, written, order.status, order.raw["status"]) == (
        shop.order_id,
        False,
        "cancelled",
        "cancelled",
    )
    assert order.source_updated_at == T0 + timedelta(minutes=10)


async def test_subscriber_keeps_known_contact_data_when_source_withholds_it(db: Database, shop: Shop) -> None:
    full = Subscriber("1122334455", "mercadolibre", nickname="COMPRADOR", first_name="Ana", email="ana@example.com")
    withheld = Subscriber("1122334455", "mercadolibre", nickname="COMPRADOR.NUEVO")

    first = await upsert_subscriber(db, shop.business_id, full)
    second = await upsert_subscriber(db, shop.business_id, withheld)

    async with db.transaction() as session:
        rows = (await session.exec(select(SubscriberRow))).all()
    assert first == second == shop.subscriber_id
    assert [(r.nickname, r.first_name, r.email, r.phone) for r in rows] == [
        ("COMPRADOR.NUEVO", "Ana", "ana@example.com", None)
    ]
