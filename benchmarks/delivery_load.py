"""The three delivery measurements of issue 14, in one run, against the fake Hellotext in its own process
(`python -m sandboxes.hellotext`, every call answered after `latency_ms`):

1. throughput: a stored backlog delivered by this one process's lanes (events/s);
2. latency: events stored at `rate` per second while the lanes deliver; stored → received per event, read as
   the delivery's `delivered_at - created_at` (recorded after Hellotext's answer, so an upper bound);
3. outage: events keep arriving at `outage_rate` per second while Hellotext answers 503 for `outage` seconds,
   then answers again; the drain rate is what the lanes deliver per second from Hellotext's return until the
   backlog is gone, and also from their first delivery after it (the lanes rest after an uncertain answer).

This process is the worker: it runs `run_lane` per business with the settings' options, as the lane job does,
starting a lane again `SWEEP` seconds after it ends, like the 2 s sweep. The producer runs here too, so the
worker's numbers include the cost of storing the events."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
from sqlalchemy import text

from connectors.events import OrderItem, OrderSnapshot, Subscriber
from worker.delivery.lane import LaneOptions, run_lane
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.events import EventRecord, append_events
from worker.store.hellotext import save_token
from worker.store.profiles import upsert_order_object, upsert_subscriber

SWEEP = 2.0
ITEM = OrderItem(item_id="MCO1", title="Mate", quantity=1, unit_price=Decimal("19.90"))
BUYERS = 37


@contextlib.asynccontextmanager
async def fake_hellotext(tokens: list[str], latency_ms: float) -> AsyncIterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [sys.executable, "-m", "sandboxes.hellotext", "--port", str(port)]
    tokens_args = [a for t in tokens for a in ("--token", t)]
    process = await asyncio.create_subprocess_exec(*args, *tokens_args, stdout=asyncio.subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(url + "/_sandbox/oracle"):
                        break
                await asyncio.sleep(0.1)
            await set_faults(http, url, latency_ms=latency_ms)
        yield url
    finally:
        process.terminate()
        await process.wait()


async def set_faults(http: aiohttp.ClientSession, url: str, **faults: float) -> None:
    async with http.put(url + "/_sandbox/faults", json=faults) as response:
        response.raise_for_status()


@dataclass
class Producer:
    """Stores orders (order.confirmed and order.shipped, a refund.requested every tenth) round-robin over the
    businesses; `stored` counts events."""

    db: Database
    businesses: list[int]
    stored: int = 0
    orders: int = 0

    async def order(self) -> None:
        business_id, n = self.businesses[self.orders % len(self.businesses)], self.orders
        self.orders += 1
        buyer = await upsert_subscriber(self.db, business_id, Subscriber(str(1000 + n % BUYERS), "mercadolibre"))
        at = datetime.now(UTC) - timedelta(minutes=5)
        snapshot = OrderSnapshot(str(n), "mercadolibre", "paid", at, "COP", Decimal("19.90"), items=(ITEM,))
        order, _ = await upsert_order_object(self.db, business_id, snapshot, buyer)
        actions = ["order.confirmed", "order.shipped"] + (["refund.requested"] if n % 10 == 0 else [])
        await append_events(self.db, business_id, [
            EventRecord(action, buyer, at + timedelta(seconds=i), f"{n}:{action}", "mercadolibre",
                        order_object_id=order, amount=Decimal("19.90"), currency="COP")
            for i, action in enumerate(actions)
        ])  # fmt: skip
        self.stored += len(actions)

    async def backlog(self, events: int) -> None:
        while self.stored < events:
            await self.order()

    async def steady(self, rate: float, seconds: float) -> None:
        """About `rate` events per second (2.1 events an order) for `seconds`."""
        started, first = time.monotonic(), self.stored
        while (elapsed := time.monotonic() - started) < seconds:
            if self.stored - first < rate * elapsed:
                await self.order()
            else:
                await asyncio.sleep(0.01)


@dataclass
class Worker:
    db: Database
    cipher: TokenCipher
    options: LaneOptions
    businesses: list[int]
    stop: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def __aenter__(self) -> Worker:
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.tasks = [asyncio.create_task(self.lane(b)) for b in self.businesses]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop = True
        await asyncio.gather(*self.tasks)
        await self.http.close()

    async def lane(self, business_id: int) -> None:
        """Like the lane job and its sweep: a lane that fails (the database busy, say) is started again at the
        next sweep, and the failure is shown."""
        while not self.stop:
            try:
                await run_lane(self.db, self.cipher, self.http, self.options, business_id)
            except Exception as error:  # an arq job's failure: reported, then asked for again
                print(f"lane of business {business_id} failed: {type(error).__name__}: {error}", file=sys.stderr)
            await asyncio.sleep(SWEEP)


async def token_businesses(db: Database, cipher: TokenCipher, how_many: int, name: str) -> list[int]:
    """`how_many` businesses, each with the Hellotext token `token-{id}`; their ids."""
    ids = []
    for n in range(how_many):
        business, _ = await create_business(db, f"{name} {n}", "CO")
        assert business.id is not None
        await save_token(db, cipher, business.id, f"token-{business.id}")
        ids.append(business.id)
    return ids


async def count(db: Database, status: str) -> int:
    async with db.connect() as conn:
        query = text("SELECT count(*) FROM delivery WHERE status = :status")
        return int((await conn.execute(query, {"status": status})).scalar_one())


async def wait_until(check: Callable[[], Awaitable[bool]], longest: float) -> float:
    """Seconds until `check` held (polled every 50 ms), or `longest`."""
    started = time.monotonic()
    while not await check() and time.monotonic() - started < longest:  # noqa: ASYNC110 - the database is polled
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def latencies(db: Database, since: datetime) -> list[float]:
    query = "SELECT created_at, delivered_at FROM delivery WHERE status = 'delivered' AND created_at >= :since"
    async with db.connect() as conn:
        rows = (await conn.execute(text(query), {"since": since})).all()
    stamps = [(parse(a), parse(b)) for a, b in rows]
    return sorted((b - a).total_seconds() for a, b in stamps)


def parse(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")
