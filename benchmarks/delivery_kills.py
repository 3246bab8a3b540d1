"""Delivery under a Hellotext outage and worker SIGKILLs: nothing lost, nothing doubled.

    .venv/bin/python benchmarks/delivery_kills.py [--businesses 4] [--backlog 3000] [--outage 60] [--rate 50]

A worker process (this script with `--child`, running the lanes like benchmarks/delivery_load.py) delivers a
stored backlog to the fake Hellotext (its own process, 20 ms a call, 2 % of writes kept but their answer lost)
while events keep arriving at `--rate` per second. The worker is killed with SIGKILL while it delivers, started
again into a Hellotext outage of `--outage` seconds (every call answered 503), and killed again while it drains
the backlog after the outage. Then it runs until nothing is pending, and the check compares, per business, what
Hellotext kept with the outbox: every delivered event kept exactly once, an event in review kept at most once
(a refund whose answer was lost), nothing kept twice, nothing pending. Exits 1 when the check fails.

The database is a SQLite file shared by the processes (WAL), the same store the worker uses in the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import text

from worker.delivery.lane import LaneOptions
from worker.store.crypto import TokenCipher
from worker.store.db import Database, open_database
from worker.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/NAME.py`: the repository root holds benchmarks/
    sys.path.insert(0, str(ROOT))

from benchmarks.delivery_load import (  # noqa: E402  (after the sys.path line above)
    Producer,
    Worker,
    count,
    fake_hellotext,
    set_faults,
    token_businesses,
    wait_until,
)

LATENCY_MS = 20.0
LOST = 0.02


async def child(args: argparse.Namespace) -> None:
    """The worker: lanes for every business until killed."""
    db = open_database(args.db)
    options = LaneOptions(args.url, 2.0, 200, width=32, budget=60.0, linger=3.0)
    businesses = [int(b) for b in args.ids.split(",")]
    async with Worker(db, TokenCipher([args.key]), options, businesses):
        await asyncio.Event().wait()


async def start_worker(db_url: str, key: str, url: str, ids: list[int]) -> asyncio.subprocess.Process:
    argv = [sys.executable, __file__, "--child", "--db", db_url, "--key", key, "--url", url,
            "--ids", ",".join(map(str, ids))]  # fmt: skip
    return await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.DEVNULL)


async def kill(process: asyncio.subprocess.Process, why: str) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()
    print(f"  SIGKILL worker {process.pid} {why}", flush=True)


async def scenario(args: argparse.Namespace, db: Database, db_url: str) -> bool:
    await upgrade(db)
    key = TokenCipher.generate_key()
    cipher = TokenCipher([key])
    ids = await token_businesses(db, cipher, args.businesses, "Kills")
    producer = Producer(db, ids)
    await producer.backlog(args.backlog)
    async with fake_hellotext([f"token-{b}" for b in ids], LATENCY_MS) as url, aiohttp.ClientSession() as http:
        await set_faults(http, url, latency_ms=LATENCY_MS, rate_lost=LOST)
        arrivals = asyncio.create_task(producer.steady(args.rate, 24 * 3600))
        worker = await start_worker(db_url, key, url, ids)
        await wait_until(lambda: _delivered_at_least(db, args.backlog // 3), 300)
        await kill(worker, "while it delivers")
        await set_faults(http, url, latency_ms=LATENCY_MS, rate_lost=LOST, rate_5xx=1.0)
        print(f"  Hellotext down for {args.outage:g} s", flush=True)
        worker = await start_worker(db_url, key, url, ids)
        await asyncio.sleep(args.outage)
        await set_faults(http, url, latency_ms=LATENCY_MS, rate_lost=LOST)
        before = await count(db, "delivered")
        await wait_until(lambda: _delivered_at_least(db, before + args.backlog // 3), 300)
        await kill(worker, "while it drains after the outage")
        arrivals.cancel()
        worker = await start_worker(db_url, key, url, ids)
        await wait_until(lambda: _none_pending(db), 600)
        await kill(worker, "at the end")
        async with http.get(url + "/_sandbox/oracle") as response:
            oracle = await response.json()
    return await check(db, oracle, ids, producer.stored)


async def _delivered_at_least(db: Database, n: int) -> bool:
    return await count(db, "delivered") >= n


async def _none_pending(db: Database) -> bool:
    return await count(db, "pending") == 0


async def check(db: Database, oracle: dict[str, dict[str, list[dict[str, str]]]], ids: list[int], stored: int) -> bool:
    """Every delivered event kept once, one in review at most once, nothing twice, nothing pending."""
    query = text(
        "SELECT d.business_id, e.action, o.reference, d.status FROM delivery d JOIN event e ON e.id = d.event_id "
        "JOIN order_object o ON o.id = e.order_object_id"
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    kept: Counter[tuple[int, str, str]] = Counter()
    for name, account in oracle.items():
        business_id = ids[int(name.split()[-1]) - 1]  # the fake names its businesses by their token's position
        references = {order["id"]: order["reference"] for order in account["orders"]}
        kept.update((business_id, e["action"], references.get(e["object"], "?")) for e in account["events"])
    statuses = Counter(status for *_, status in rows)
    missing = sum(1 for b, a, r, s in rows if s == "delivered" and kept[(b, a, r)] == 0)
    twice = sum(n - 1 for n in kept.values() if n > 1)
    print(f"stored {stored} events; deliveries {dict(sorted(statuses.items()))}; Hellotext kept "
          f"{sum(kept.values())}; delivered but not kept: {missing}; kept twice: {twice}")  # fmt: skip
    return missing == 0 and twice == 0 and statuses.get("pending", 0) == 0


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/kills.db"
        db = open_database(url)
        started = time.monotonic()
        try:
            passed = await scenario(args, db, url)
        finally:
            await db.close()
    print(f"nproc={os.cpu_count()} {'PASSED' if passed else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--businesses", type=int, default=4)
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for option in ("--db", "--key", "--url", "--ids"):
        parser.add_argument(option, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.child:
        asyncio.run(child(parsed))
        sys.exit(0)
    sys.exit(asyncio.run(main(parsed)))
