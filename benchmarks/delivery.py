"""Delivery to Hellotext: the relay's speed (events/s, stored → received at a steady rate, the drain after an
outage: benchmarks/delivery_load.py), or with faults, that it delivers exactly once.

    .venv/bin/python benchmarks/delivery.py [--businesses 4] [--backlog 5000] [--rate 200] [--seconds 30]
                                            [--outage 60] [--outage-rate 50] [--width 32] [--postgresql]
    .venv/bin/python benchmarks/delivery.py --rate-5xx 0.05 --rate-lost 0.05 [--orders 100]

Without faults: the three measurements of issue 14 in one run, the fake Hellotext in its own process answering
every call after `--latency-ms`. With `--rate-5xx`/`--rate-lost`: stores `orders` orders per business
(order.confirmed and order.shipped each, a refund.requested every tenth), serves the fake Hellotext in this
process with those faults, and runs every business's lane round after round (the clock jumps past backoff
between rounds) until nothing is pending; prints per action stored, delivered, in review, and events Hellotext
kept twice (must be 0). Both use a fresh SQLite file or a throw-away PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

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

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/NAME.py`: the repository root holds benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks.delivery_load import (  # noqa: E402  (after the sys.path line above)
    Producer,
    Worker,
    count,
    fake_hellotext,
    latencies,
    percentile,
    set_faults,
    token_businesses,
    wait_until,
)

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


async def measure(db: Database, args: argparse.Namespace) -> None:
    await upgrade(db)
    cipher = TokenCipher([TokenCipher.generate_key()])
    businesses = await token_businesses(db, cipher, args.businesses, "Bench")
    producer = Producer(db, businesses)
    await producer.backlog(args.backlog)
    async with fake_hellotext([f"token-{b}" for b in businesses], args.latency_ms) as url:
        options = LaneOptions(url, 10.0, 200, width=args.width, budget=60.0, linger=3.0)
        async with Worker(db, cipher, options, businesses):
            await phases(db, producer, url, args)
        async with aiohttp.ClientSession() as http, http.get(url + "/_sandbox/oracle") as response:
            oracle = await response.json()
    twice = sum(n - 1 for account in oracle.values() for n in Counter(
        (e["action"], e["object"], e["tracked_at"]) for e in account["events"]).values() if n > 1)  # fmt: skip
    statuses = dict(await count_statuses(db))
    print(f"stored {producer.stored} events; deliveries {statuses}; events Hellotext kept twice: {twice}")


async def phases(db: Database, producer: Producer, url: str, args: argparse.Namespace) -> None:
    backlog = producer.stored
    seconds = await wait_until(lambda: _none_pending(db), 900)
    print(f"nproc={os.cpu_count()} businesses={args.businesses} width={args.width} latency={args.latency_ms:g} ms")
    print(f"1. throughput: {backlog} stored events delivered in {seconds:.1f} s = {backlog / seconds:,.0f} events/s")
    since = datetime.now(UTC)
    await producer.steady(args.rate, args.seconds)
    await wait_until(lambda: _none_pending(db), 120)
    lags = await latencies(db, since)
    print(
        f"2. latency at {args.rate:g} events/s for {args.seconds:g} s: {len(lags)} events, stored → received "
        f"p50 {percentile(lags, 0.5):.3f} s, p99 {percentile(lags, 0.99):.3f} s, max {lags[-1] if lags else 0:.3f} s"
    )
    async with aiohttp.ClientSession() as http:
        await set_faults(http, url, latency_ms=args.latency_ms, rate_5xx=1.0)
        await producer.steady(args.outage_rate, args.outage)
        await set_faults(http, url, latency_ms=args.latency_ms)
    await outage_drain(db, producer, args)


async def outage_drain(db: Database, producer: Producer, args: argparse.Namespace) -> None:
    back, before, waiting = time.monotonic(), await count(db, "delivered"), await count(db, PENDING)
    arrivals = asyncio.create_task(producer.steady(args.outage_rate, 900))
    first = await wait_until(lambda: _delivered_more(db, before), 300)
    start_first = await count(db, "delivered")
    await wait_until(lambda: _drained(db, args.outage_rate), 900)
    arrivals.cancel()
    seconds, delivered = time.monotonic() - back, await count(db, "delivered")
    busy = seconds - first
    print(
        f"3. outage of {args.outage:g} s at {args.outage_rate:g} events/s: {waiting} pending when Hellotext came "
        f"back; drained in {seconds:.1f} s = {(delivered - before) / seconds:,.0f} events/s "
        f"({(delivered - before) / seconds / args.outage_rate:.1f}x arrivals); first delivery after {first:.1f} s, "
        f"from then {(delivered - start_first) / busy if busy else 0:,.0f} events/s "
        f"({(delivered - start_first) / busy / args.outage_rate if busy else 0:.1f}x arrivals)"
    )


PENDING = "pending"


async def _none_pending(db: Database) -> bool:
    return await count(db, PENDING) == 0


async def _delivered_more(db: Database, before: int) -> bool:
    return await count(db, "delivered") > before


async def _drained(db: Database, rate: float) -> bool:
    """Nothing pending but what arrived in the last second or so (arrivals go on)."""
    return await count(db, PENDING) <= max(10, int(rate))


async def count_statuses(db: Database) -> Counter[str]:
    statuses = Counter[str]()
    for status in ("pending", "delivered", "review", "skipped"):
        statuses[status] = await count(db, status)
    return +statuses


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
    work = run if args.rate_5xx or args.rate_lost else measure
    if not args.postgresql:
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(f"sqlite+aiosqlite:///{folder}/bench.db")
            try:
                await work(db, args)
            finally:
                await db.close()
        return
    name = f"meli_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = open_database(ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}")
    try:
        await work(db, args)
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
    parser.add_argument("--backlog", type=int, default=5000, help="events stored before the lanes start")
    parser.add_argument("--rate", type=float, default=200.0, help="events stored per second for the latency")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long events arrive at --rate")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds Hellotext answers 503")
    parser.add_argument("--outage-rate", type=float, default=50.0, help="events stored per second around it")
    parser.add_argument("--width", type=int, default=32, help="orders of a business in flight at once")
    asyncio.run(main(parser.parse_args()))
