"""Batched event appends per second, PostgreSQL and SQLite measured side by side in one run.

    .venv/bin/python benchmarks/store_append.py [--batches 30] [--batch-size 1000]

Creates a throw-away PostgreSQL database (MELI_TEST_PG_ADMIN, default postgres@127.0.0.1) and a temporary
SQLite file, migrates both, appends `batches` batches of fresh events, then the same batches again (all
duplicates, to price the insert-or-ignore path), and prints events/s for each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from connectors.events import OrderSnapshot, Subscriber
from worker.store.businesses import create_business
from worker.store.db import Database, open_database
from worker.store.events import EventRecord, append_events
from worker.store.migrate import upgrade
from worker.store.profiles import upsert_order_object, upsert_subscriber

ADMIN = os.environ.get("MELI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def prepare(db: Database) -> tuple[int, int, int]:
    await upgrade(db)
    business, _ = await create_business(db, "Bench", "CO")
    assert business.id is not None
    subscriber = await upsert_subscriber(db, business.id, Subscriber("1", "mercadolibre"))
    order = OrderSnapshot(reference="1", source="mercadolibre", status="paid", updated_at=T0)
    order_id, _ = await upsert_order_object(db, business.id, order, subscriber)
    return business.id, subscriber, order_id


def batch(n: int, size: int, subscriber: int, order: int) -> list[EventRecord]:
    return [
        EventRecord(
            action="order.confirmed",
            subscriber_id=subscriber,
            order_object_id=order,
            tracked_at=T0 + timedelta(seconds=i),
            dedupe_key=f"bench:{n}:{i}",
            source="mercadolibre",
            amount=Decimal("15999.90"),
            currency="COP",
            properties={"ml_order_id": str(i)},
        )
        for i in range(size)
    ]


async def measure(db: Database, batches: int, size: int) -> tuple[float, float]:
    business, subscriber, order = await prepare(db)
    work = [batch(n, size, subscriber, order) for n in range(batches)]
    rates = []
    for expected in (size, 0):  # fresh events, then the same events again
        started = time.perf_counter()
        for events in work:
            assert await append_events(db, business, events) == expected
        rates.append(batches * size / (time.perf_counter() - started))
    return rates[0], rates[1]


async def main(batches: int, size: int) -> None:
    name = f"meli_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    pg = open_database(ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}")
    with tempfile.TemporaryDirectory() as folder:
        lite = open_database(f"sqlite+aiosqlite:///{folder}/bench.db")
        try:
            results = {
                "postgresql": await measure(pg, batches, size),
                "sqlite": await measure(lite, batches, size),
            }
        finally:
            await pg.close()
            await lite.close()
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
    print(f"nproc={os.cpu_count()} batches={batches} batch_size={size} events={batches * size}")
    print(f"{'database':<12}{'new events/s':>15}{'duplicates/s':>15}")
    for database, (fresh, again) in results.items():
        print(f"{database:<12}{fresh:>15,.0f}{again:>15,.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=1000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.batches, arguments.batch_size))
