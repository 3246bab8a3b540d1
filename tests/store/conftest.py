from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.events import OrderSnapshot, Subscriber
from worker.store.businesses import create_business
from worker.store.db import Database
from worker.store.events import EventRecord
from worker.store.profiles import upsert_order_object, upsert_subscriber

T0 = datetime(2026, 11, 20, 14, 2, 13, 500000, tzinfo=UTC)


@dataclass(frozen=True)
class Shop:
    business_id: int
    subscriber_id: int
    order_id: int


@pytest.fixture
async def shop(db: Database) -> Shop:
    """Given a business with one buyer and one order."""
    business, _ = await create_business(db, "Tienda Uno", "CO")
    assert business.id is not None
    subscriber_id = await upsert_subscriber(
        db, business.id, Subscriber(external_id="1122334455", source="mercadolibre")
    )
    order = OrderSnapshot(reference="2000009876543210", source="mercadolibre", status="paid", updated_at=T0)
    order_id, _ = await upsert_order_object(db, business.id, order, subscriber_id)
    return Shop(business.id, subscriber_id, order_id)


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
