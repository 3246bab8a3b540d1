"""A business with buyers, orders and events in the store, built straight through the store's functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from connectors.events import OrderSnapshot, Subscriber
from worker.store.businesses import create_business
from worker.store.db import Database
from worker.store.events import EventRecord
from worker.store.profiles import upsert_order_object, upsert_subscriber

T0 = datetime(2026, 11, 20, 14, 2, 13, 500000, tzinfo=UTC)
BUYER, ORDER = "1122334455", "2000009876543210"


@dataclass(frozen=True)
class Shop:
    business_id: int
    subscriber_id: int
    order_id: int | None = None  # None: the buyer has no order yet
    api_key: str = ""


async def add_order(db: Database, business_id: int, buyer: Subscriber, order: OrderSnapshot | None) -> Shop:
    """The buyer (inserted or updated) and, when given, its order in the business."""
    subscriber_id = await upsert_subscriber(db, business_id, buyer)
    if order is None:
        return Shop(business_id, subscriber_id)
    order_id, _ = await upsert_order_object(db, business_id, order, subscriber_id)
    return Shop(business_id, subscriber_id, order_id)


def paid_order(reference: str = ORDER, **changes: object) -> OrderSnapshot:
    fields: dict[str, object] = {"reference": reference, "source": "mercadolibre", "status": "paid", "updated_at": T0}
    return OrderSnapshot(**(fields | changes))  # type: ignore[arg-type]


async def open_shop(
    db: Database, name: str = "Tienda Uno", buyer: str = BUYER, order: OrderSnapshot | None = None
) -> Shop:
    """A new business (Colombia) with one buyer and, when given, one order of that buyer."""
    business, api_key = await create_business(db, name, "CO")
    assert business.id is not None
    shop = await add_order(db, business.id, Subscriber(external_id=buyer, source="mercadolibre"), order)
    return Shop(shop.business_id, shop.subscriber_id, shop.order_id, api_key)


def record(shop: Shop, key: str, amount: Decimal | None = Decimal("15999.00"), **changes: object) -> EventRecord:
    fields: dict[str, object] = {
        "action": "order.confirmed",
        "subscriber_id": shop.subscriber_id,
        "order_object_id": shop.order_id,
        "tracked_at": T0,
        "dedupe_key": key,
        "source": "mercadolibre",
        "amount": amount,
        "currency": "COP",
    }
    fields.update(changes)
    return EventRecord(**fields)  # type: ignore[arg-type]
