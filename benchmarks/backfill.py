"""Benchmark: the initial import of a seller with N historical orders, against the sandbox's request budget.

For each `--orders` size: a sandbox child (one seller, N orders over two years, offset cap 10,000 and page size
50 as ML, `app_rps` = `seller_rps` = `--rate`), a throw-away PostgreSQL database, a private Redis, the seller
connected (the connect hook stores the two import phases), then `meli worker --burst` as a child until the
import is done. Everything is on loopback. Printed per size: orders/s, API calls per order, the request rate the
sandbox saw vs its budget (target >= 90 %), failed requests (429s are retried, not failures), the worker's
peak RSS (target < 250 MB, flat in N) and whether the event store equals the sandbox oracle.

    .venv/bin/python benchmarks/backfill.py [--orders 5000 20000] [--rate 150] [--kills 2] [--record]

`--kills K` runs a long-running `meli worker` instead and SIGKILLs it K times during each import
(`backfill_kills.py`); the store must still equal the oracle, with as many events stored as expected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.backfill_kills import peak_rss_mb, run_worker_killing  # noqa: E402
from benchmarks.procs import (  # noqa: E402
    MELI,
    Bench,
    Child,
    bench_settings,
    child_env,
    connect_seller,
    cpu_seconds,
    enter_bench,
    exit_on_sigterm,
    free_port,
    load_average,
    migrate,
    nproc,
    wait_http,
)
from benchmarks.results import utc_stamp  # noqa: E402
from worker.demo.sellers import granted_tokens  # noqa: E402
from worker.settings import Settings, one_server  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
ORDERS_PER_PURCHASE = 1.2  # packs and split packs: the sandbox's purchases make about this many orders
SANDBOX_CHILD = """
import asyncio, json, sys
from aiohttp import web
from sandboxes.mercadolibre import Faults, SandboxConfig, create_sandbox_app
options = json.loads(sys.argv[1])
faults = Faults(app_rps=options.pop("rps"), seller_rps=options.pop("seller_rps"))
config = SandboxConfig(sellers=1, orders=0, faults=faults, **options)
web.run_app(create_sandbox_app(config), host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""


@dataclass
class Outcome:
    orders: int
    found: int
    failed_orders: int
    events: int
    api_calls: int
    seconds: float
    requests: int
    statuses: dict[int, int]
    request_seconds: float
    peak_rss_mb: float
    worker_cpu_s: float
    equal_to_oracle: bool
    stored_events: int
    expected_events: int
    kills: int = 0

    @property
    def achieved_rate(self) -> float:
        return self.requests / self.request_seconds if self.request_seconds else 0.0

    @property
    def failed_requests(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 400 and status != 429)


def worker_settings(bench: Bench, sandbox: str, rate: float) -> Settings:
    return bench_settings(
        bench.dsn, bench.redis_url, bench.queue, **one_server(sandbox),
        ml_app_rate=rate, ml_seller_rate=rate, backfill_seller_rate=rate, backfill_offset_cap=10_000,
        backfill_depth_days=731, backfill_concurrency=50,
    )  # fmt: skip


def backfill_env(settings: Settings) -> dict[str, str]:
    names = ("backfill_seller_rate", "backfill_offset_cap", "backfill_depth_days", "backfill_concurrency")
    extra = {f"MELI_{name.upper()}": str(getattr(settings, name)) for name in names}
    off = {"MELI_WORKER_METRICS_PORT": "0", "MELI_RECONCILE_EVERY_MINUTES": "0", "MELI_MISSED_FEEDS_EVERY_MINUTES": "0"}
    return child_env(settings) | extra | off


async def control(http: aiohttp.ClientSession, base: str, method: str, path: str) -> Any:
    async with http.request(method, f"{base}{path}") as response:
        response.raise_for_status()
        return await response.json()


async def start_sandbox(bench: Bench, purchases: int, rate: float) -> tuple[Child, str]:
    port = free_port()
    start = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    options = {
        "seed": 17, "historical_orders": purchases, "history_days": 730, "start": start,
        "search_offset_cap": 10_000, "log_size": purchases * 10 + 10_000, "rps": rate, "seller_rps": rate,
    }  # fmt: skip
    argv = [sys.executable, "-c", SANDBOX_CHILD, json.dumps(options), str(port)]
    child = await bench.group.start("sandbox", argv)
    base = f"http://127.0.0.1:{port}"
    await wait_http(child, f"{base}/_sandbox", within=600)
    return child, base


async def connect(http: aiohttp.ClientSession, base: str, settings: Settings) -> tuple[int, int, int]:
    from worker.backfill.service import on_account_connected
    from worker.context import app_context, backfill_plan

    seller = (await control(http, base, "GET", "/_sandbox/sellers"))["sellers"][0]
    tokens = granted_tokens(await control(http, base, "POST", f"/_sandbox/sellers/{seller['id']}/tokens"))
    business_id, account_id = await connect_seller(settings, seller["id"], seller["site_id"], tokens)
    async with app_context(settings) as context:
        await on_account_connected(context.db, context.redis, backfill_plan(settings), account_id)
    return int(seller["id"]), business_id, account_id


async def run_worker(bench: Bench, settings: Settings) -> tuple[float, float, float]:
    """`meli worker --burst` until the import is done: (seconds, peak RSS in MB, CPU seconds)."""
    child = await bench.group.start("worker", [MELI, "worker", "--burst"], backfill_env(settings))
    started, peak, cpu = time.perf_counter(), 0.0, 0.0
    while child.process.returncode is None:
        peak, cpu = max(peak, peak_rss_mb(child.process.pid)), cpu_seconds(child.process.pid) or cpu
        try:
            await asyncio.wait_for(child.process.wait(), 0.5)
        except TimeoutError:
            continue
    if child.process.returncode != 0:
        raise RuntimeError(f"the worker exited with {child.process.returncode}")
    return time.perf_counter() - started, peak, cpu


async def measure(purchases: int, rate: float, kills: int = 0) -> Outcome:
    async with AsyncExitStack() as stack, aiohttp.ClientSession() as http:
        bench = await enter_bench(stack, "backfill")
        _, sandbox = await start_sandbox(bench, purchases, rate)
        settings = worker_settings(bench, sandbox, rate)
        await migrate(settings)
        seller_id, business_id, account_id = await connect(http, sandbox, settings)
        await control(http, sandbox, "DELETE", "/_sandbox/requests")
        if kills:
            target = round(purchases * ORDERS_PER_PURCHASE)
            env = backfill_env(settings)
            seconds, peak, cpu, done = await run_worker_killing(bench, settings, env, account_id, target, kills)
        else:
            (seconds, peak, cpu), done = await run_worker(bench, settings), 0
        log = (await control(http, sandbox, "GET", "/_sandbox/requests"))["requests"]
        ids = (seller_id, business_id, account_id)
        outcome = await _outcome(http, sandbox, settings, ids, log, (seconds, peak, cpu))
        outcome.kills = done
        return outcome


async def _outcome(
    http: aiohttp.ClientSession, base: str, settings: Settings, ids: tuple[int, int, int], log: list[Any],
    run: tuple[float, float, float],
) -> Outcome:  # fmt: skip
    from worker.store.backfills import account_runs
    from worker.store.db import open_database
    from worker.store.events import read_events

    seller_id, business_id, account_id = ids
    db = open_database(settings.database_url)
    try:
        runs = await account_runs(db, account_id)
        listed = [(v.dedupe_key, v.tracked_at) for v in await read_events(db, business_id=business_id, limit=10**6)]
    finally:
        await db.close()
    oracle = await control(
        http, base, "GET", f"/_sandbox/expected-events?seller_id={seller_id}&include_delivered=false"
    )
    expected = [(e["dedupe_key"], datetime.fromisoformat(e["tracked_at"])) for e in oracle["events"]]
    api = [entry for entry in log if not entry["path"].startswith("/_sandbox")]
    times = [datetime.fromisoformat(entry["time"]).timestamp() for entry in api] or [0.0]
    return Outcome(
        orders=sum(r.orders_done for r in runs), found=sum(r.orders_found for r in runs),
        failed_orders=sum(r.orders_failed for r in runs), events=sum(r.events_added for r in runs),
        api_calls=sum(r.api_calls for r in runs), seconds=run[0], requests=len(api),
        statuses=dict(Counter(entry["status"] for entry in api)), request_seconds=max(times) - min(times),
        peak_rss_mb=run[1], worker_cpu_s=run[2], equal_to_oracle=sorted(listed) == sorted(expected),
        stored_events=len(listed), expected_events=len(expected),
    )  # fmt: skip


def report(size: int, rate: float, outcome: Outcome) -> list[str]:
    return [
        f"{size:,}",
        f"{outcome.orders:,}",
        f"{outcome.seconds:.1f}",
        f"{outcome.orders / outcome.seconds:.1f}",
        f"{outcome.api_calls / max(outcome.orders, 1):.2f}",
        f"{outcome.achieved_rate:.1f} / {rate:g} ({outcome.achieved_rate / rate:.0%})",
        f"{outcome.failed_requests} ({outcome.statuses.get(429, 0)} 429s retried)",
        f"{outcome.peak_rss_mb:.0f}",
        f"{outcome.worker_cpu_s:.0f}",
        str(outcome.kills),
        f"{outcome.stored_events:,} / {outcome.expected_events:,}",
        "yes" if outcome.equal_to_oracle and outcome.found == outcome.orders else "NO",
        load_average(),
    ]


HEADER = [
    "target orders", "orders imported", "seconds", "orders/s", "API calls/order", "requests/s vs budget",
    "failed requests", "peak RSS MB", "worker CPU s", "worker SIGKILLs", "events stored / expected",
    "store = oracle", "load avg (1 min, after)",
]  # fmt: skip


def table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, nargs="+", default=[5000, 20000], help="orders per seller, per run")
    parser.add_argument("--rate", type=float, default=150.0, help="the sandbox's request budget (requests/s)")
    parser.add_argument("--kills", type=int, default=0, help="SIGKILL the worker this many times during each import")
    parser.add_argument("--record", action="store_true", help="append the result to benchmarks/RESULTS.md")
    args = parser.parse_args()
    exit_on_sigterm()
    rows = []
    for size in args.orders:
        outcome = asyncio.run(measure(round(size / ORDERS_PER_PURCHASE), args.rate, args.kills))
        rows.append(report(size, args.rate, outcome))
        print(table(rows[-1:]), flush=True)
    text = table(rows)
    print(f"\nnproc: {nproc()}\n{text}")
    if args.record:
        command = shlex.join([".venv/bin/python", "benchmarks/backfill.py", *sys.argv[1:]])
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(f"\n## Backfill (initial import)\n\n- Date: {utc_stamp()}\n- Command: `{command}`\n")
            handle.write(f"- nproc: {nproc()}; sandbox, PostgreSQL, Redis and the worker on this machine\n\n{text}\n")


if __name__ == "__main__":
    main()
