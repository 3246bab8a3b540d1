"""Delivery to Hellotext: events per second through the outbox relay, and exactly-once under faults.

    .venv/bin/python benchmarks/delivery.py [--businesses 4] [--orders 100] [--latency-ms 20]
                                            [--rate-5xx 0.05] [--rate-lost 0.05] [--postgresql]

Stores `orders` orders per business (order.confirmed and order.shipped each, a refund.requested every tenth)
in a fresh SQLite file (or a throw-away PostgreSQL database), serves the fake Hellotext on loopback with the
given latency and faults, and runs every business's lane at once, round after round (the clock jumps past
backoff between rounds), until nothing is pending. Prints the first round's events/s, requests per event,
and per action: stored, delivered, in review, and events Hellotext kept twice (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer

from connectors.events import OrderItem, OrderSnapshot, Subscriber
from sandboxes.hellotext import HELLOTEXT, Faults, create_hellotext_app
from worker.delivery.lane import LaneOptions, run_lane
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database, open_database
from worker.store.deliveries import count_by_status
from worker.store.events import EventRecord, append_events
from worker.store.hellotext import save_token
from worker.store.migrate import upgrade
from worker.store.profiles import upsert_order_object, upsert_subscriber

ADMIN = os.environ.get("MELI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
T0 = datetime.now(UTC) - timedelta(days=1)
ITEM = OrderItem(item_id="MCO1", title="Mate", quantity=1, unit_price=Decimal("19.90"))


async def store_orders(db: Database, business_id: int, orders: int) -> None:
    for n in range(orders):
        buyer = await upsert_subscriber(db, business_id, Subscriber(str(1000 + n % 37), "mercadolibre", f"B{n % 37}"))
        at = T0 + timedelta(minutes=n)
        snapshot = OrderSnapshot(str(n), "mercadolibre", "paid", at, "COP", Decimal("19.90"), items=(ITEM,))
        order, _ = await upsert_order_object(db, business_id, snapshot, buyer)
        actions = ["order.confirmed", "order.shipped"] + (["refund.requested"] if n % 10 == 0 else [])
        await append_events(db, business_id, [
            EventRecord(action, buyer, at + timedelta(seconds=i), f"{n}:{action}", "mercadolibre",
                        order_object_id=order, amount=Decimal("19.90"), currency="COP")
            for i, action in enumerate(actions)
        ])  # fmt: skip


async def deliver(db: Database, cipher: TokenCipher, url: str, businesses: list[int]) -> tuple[float, int, int]:
    """Seconds of the first round, events sent then, and rounds until nothing was pending."""
    async with aiohttp.ClientSession() as http:
        options = LaneOptions(url, 2.0, 5000)
        rounds, first, sent = 0, 0.0, 0
        while True:
            at = datetime.now(UTC) + timedelta(hours=5 * rounds)

            def clock(at: datetime = at) -> datetime:
                return at

            started = time.perf_counter()
            done = await asyncio.gather(*(run_lane(db, cipher, http, options, b, clock=clock) for b in businesses))
            if rounds == 0:
                first, sent = time.perf_counter() - started, sum(d["delivered"] for d in done)
            rounds += 1
            pending = sum([(await count_by_status(db, b)).get("pending", 0) for b in businesses])
            if not pending or rounds > 40:
                return first, sent, rounds


async def run(db: Database, args: argparse.Namespace) -> None:
    await upgrade(db)
    cipher = TokenCipher([TokenCipher.generate_key()])
    app = create_hellotext_app(faults=Faults(latency_ms=args.latency_ms, rate_5xx=args.rate_5xx,
                                             rate_lost=args.rate_lost))  # fmt: skip
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    businesses = []
    for n in range(args.businesses):
        business, _ = await create_business(db, f"Bench {n}", "CO")
        assert business.id is not None
        app[HELLOTEXT].add_account(f"token-{business.id}", str(business.id))
        await save_token(db, cipher, business.id, f"token-{business.id}")
        await store_orders(db, business.id, args.orders)
        businesses.append(business.id)
    try:
        seconds, sent, rounds = await deliver(db, cipher, str(server.make_url("")).rstrip("/"), businesses)
    finally:
        await server.close()
    report(app[HELLOTEXT].accounts.values(), db, businesses, seconds, sent, rounds)
    statuses = Counter[str]()
    for business_id in businesses:
        statuses.update(await count_by_status(db, business_id))
    print(f"deliveries: {dict(sorted(statuses.items()))}")


def report(accounts: object, db: Database, businesses: list[int], seconds: float, sent: int, rounds: int) -> None:
    kept: Counter[str] = Counter()
    twice = 0
    requests = 0
    for account in accounts:  # type: ignore[attr-defined]
        keys = Counter((e["action"], e["object"], e["tracked_at"]) for e in account.events)
        twice += sum(n - 1 for n in keys.values() if n > 1)
        kept.update(e["action"] for e in account.events)
        requests += account.track_requests
    print(f"nproc={os.cpu_count()} businesses={len(businesses)} first round: {sent} events in {seconds:.2f} s "
          f"= {sent / seconds if seconds else 0:,.0f} events/s; rounds until done: {rounds}")  # fmt: skip
    print(f"Hellotext kept per action: {dict(sorted(kept.items()))}; track requests: {requests}; "
          f"events kept twice: {twice}")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    if not args.postgresql:
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(f"sqlite+aiosqlite:///{folder}/bench.db")
            try:
                await run(db, args)
            finally:
                await db.close()
        return
    name = f"meli_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = open_database(ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}")
    try:
        await run(db, args)
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--businesses", type=int, default=4)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-lost", type=float, default=0.0)
    parser.add_argument("--postgresql", action="store_true")
    asyncio.run(main(parser.parse_args()))
