"""Appending and reading events, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from connectors.errors import InvalidRecord
from tests.harness.shop import T0, Shop, record
from worker.store.db import Database
from worker.store.events import append_events, read_events
from worker.store.models import EventRow


async def count_events(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(EventRow))).one())


async def test_same_batch_twice_stores_it_once(db: Database, shop: Shop) -> None:
    batch = [record(shop, f"ml:order:{n}:confirmed") for n in range(5)]

    assert await append_events(db, shop.business_id, batch) == 5
    assert await append_events(db, shop.business_id, batch) == 0
    assert await count_events(db) == 5


async def test_concurrent_overlapping_batches_store_each_key_once(db: Database, shop: Shop) -> None:
    # 20 batches of 50 keys, each overlapping the next by half: keys 0..524 in all.
    batches = [[record(shop, f"k{n}") for n in range(start * 25, start * 25 + 50)] for start in range(20)]

    stored = await asyncio.gather(*(append_events(db, shop.business_id, batch) for batch in batches))

    assert sum(stored) == 525
    assert await count_events(db) == 525
    keys = [view.dedupe_key for view in await read_events(db, business_id=shop.business_id, limit=10_000)]
    assert sorted(keys) == sorted(f"k{n}" for n in range(525))


@pytest.mark.parametrize(
    ("amount", "rendered"),
    [
        (Decimal("0.1"), "0.10"),
        (Decimal("15999"), "15999.00"),
        (Decimal("12345678901234.5678"), "12345678901234.5678"),
        (Decimal("-3.250"), "-3.25"),
        (Decimal("0.0001"), "0.0001"),
        (None, None),
    ],
)
async def test_decimal_amounts_round_trip_exactly(
    db: Database, shop: Shop, amount: Decimal | None, rendered: str | None
) -> None:
    await append_events(db, shop.business_id, [record(shop, "one", amount=amount)])

    (view,) = await read_events(db, business_id=shop.business_id)

    assert view.amount == amount
    assert view.to_json()["amount"] == rendered


async def test_read_returns_full_event_after_cursor(db: Database, shop: Shop) -> None:
    later = T0 + timedelta(hours=1)
    await append_events(db, shop.business_id, [record(shop, "a"), record(shop, "b", tracked_at=later)])
    first, second = await read_events(db, business_id=shop.business_id)

    assert await read_events(db, business_id=shop.business_id, after=first.id) == [second]
    assert second.to_json() | {"id": 0, "recorded_at": ""} == {
        "id": 0,
        "business_id": shop.business_id,
        "action": "order.confirmed",
        "tracked_at": "2026-11-20T15:02:13.500Z",
        "amount": "15999.00",
        "currency": "COP",
        "order_reference": "2000009876543210",
        "subscriber_external_id": "1122334455",
        "dedupe_key": "b",
        "origin": "live",
        "source": "mercadolibre",
        "properties": {},
        "recorded_at": "",
    }
    assert await read_events(db, business_id=shop.business_id + 1) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "order.teleported"}, "action"),
        ({"tracked_at": datetime(2026, 11, 20, 14, 0)}, "tracked_at"),
        ({"amount": 15999.0}, "amount"),
        ({"amount": Decimal("0.00001")}, "amount"),
        ({"origin": "magic"}, "origin"),
        ({"dedupe_key": ""}, "dedupe_key"),
    ],
)
async def test_bad_event_is_refused_and_nothing_of_the_batch_is_written(
    db: Database, shop: Shop, changes: dict[str, Any], field: str
) -> None:
    batch = [record(shop, "good-1"), record(shop, "bad", **changes), record(shop, "good-2")]

    with pytest.raises(InvalidRecord) as raised:
        await append_events(db, shop.business_id, batch)

    assert raised.value.field == field
    assert await count_events(db) == 0


async def test_each_new_event_gets_a_pending_delivery_in_its_transaction(db: Database, shop: Shop) -> None:
    await append_events(db, shop.business_id, [record(shop, "a"), record(shop, "b")])
    await append_events(db, shop.business_id, [record(shop, "a"), record(shop, "c")])
    async with db.connect() as conn:
        rows = (await conn.execute(text("SELECT e.dedupe_key, d.status, d.business_id FROM delivery d "
                                        "JOIN event e ON e.id = d.event_id ORDER BY e.dedupe_key"))).all()  # fmt: skip
    assert [tuple(row) for row in rows] == [("a", "pending", shop.business_id), ("b", "pending", shop.business_id),
                                            ("c", "pending", shop.business_id)]  # fmt: skip
