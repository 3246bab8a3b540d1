"""Scale-out: the same backlog worked by 1, 2 and 4 `meli worker` processes, one round after the other.

    .venv/bin/python benchmarks/scale.py [--workers-list 1,2,4] [--sellers 8] [--notifications 500]
                                         [--duration 20] [--repeat 1] [--record]

Each round starts the sandbox (50 ms per API call), PostgreSQL, a private Redis and the web process with no
worker; the sandbox sends `--duration` seconds of activity of `--sellers` connected sellers, which the web
process records. Only when every notification is in the inbox do N workers start: they face a backlog, so they
are saturated whatever their number, and neither the sandbox's nor the web process's CPU is in their way while
they work. Per round it prints the inbox rows worked per second, the workers' CPU per row, SQL statements,
Redis commands (every process) and ML requests per row, duplicate fetches (one order fetched twice while the
first fetch was still in flight: two workers doing the same work) and lock waits (a drain job that found its
seller's drain held by another worker), and checks the store against the oracle. The verdict compares each
round's CPU per row with one worker's: coordination that grew with the number of workers would show there. All
processes share this machine's cores, so rows per second cannot grow with the workers here.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import asyncpg

from worker.demo.compare import Comparison, compare, stored_events
from worker.demo.sellers import granted_tokens
from worker.store.db import open_database

try:
    from benchmarks import counts, latency, procs, results
    from benchmarks.lag import step_rate
except ModuleNotFoundError:  # run as `python benchmarks/scale.py`: its own folder is on sys.path
    import counts  # type: ignore[no-redef, import-not-found]
    import latency  # type: ignore[no-redef, import-not-found]
    import procs  # type: ignore[no-redef, import-not-found]
    import results  # type: ignore[no-redef, import-not-found]
    from lag import step_rate  # type: ignore[no-redef, import-not-found]

ORDER = re.compile(r"^/orders/(\d+)$")


def duplicate_fetches(requests: list[dict[str, Any]], within_s: float) -> int:
    """GET /orders/{id} answered within `within_s` (one sandbox call's latency) of another of the same order:
    the two were in flight together."""
    times: dict[str, list[float]] = defaultdict(list)
    for entry in requests:
        if entry["method"] == "GET" and (match := ORDER.match(entry["path"])):
            times[match[1]].append(datetime.fromisoformat(entry["time"]).timestamp())
    found = 0
    for stamps in times.values():
        stamps.sort()
        found += sum(later - earlier < within_s for earlier, later in itertools.pairwise(stamps))
    return found


class ScaleRun(latency.Run):
    """A latency run with every sandbox seller connected (one business each) and duplicate fetches counted."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.sandbox_extra = ["--sellers", str(self.args.sellers)]
        self.sellers: list[tuple[int, int]] = []  # (seller id, business id)

    async def connect(self) -> None:
        for seller in (await self.control("GET", "/_sandbox/sellers"))["sellers"]:
            tokens = granted_tokens(await self.control("POST", f"/_sandbox/sellers/{seller['id']}/tokens"))
            business_id, _ = await procs.connect_seller(self.settings, int(seller["id"]), seller["site_id"], tokens)
            self.sellers.append((int(seller["id"]), business_id))
        self.seller_id, self.business_id = self.sellers[0]

    async def oracle(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for seller_id, _ in self.sellers:
            path = f"/_sandbox/expected-events?seller_id={seller_id}&include_delivered=false&with_known_at=true"
            events += (await self.control("GET", path))["events"]
        return events

    async def compare(self, oracle: list[dict[str, Any]]) -> Comparison:
        db = open_database(self.settings.database_url)
        try:
            stored = [event for _, business in self.sellers for event in await stored_events(db, business)]
            return compare(oracle, stored)
        finally:
            await db.close()

    async def fetches(self) -> tuple[int, int]:
        """GET /orders/{id} calls, and how many of them duplicated one in flight."""
        requests = (await self.control("GET", "/_sandbox/requests?method=GET&path_prefix=/orders/"))["requests"]
        fetches = sum(bool(ORDER.match(entry["path"])) for entry in requests)
        return fetches, duplicate_fetches(requests, self.args.latency_ms / 1000)


@dataclass
class Round:
    workers: int
    rows: int
    seconds: float | None  # None: the backlog was not worked within `--drain`
    cpu: float  # the workers' CPU seconds while they worked
    counted: counts.Counts
    fetches: int
    duplicates: int
    comparison: Comparison

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.rows * 1000 if self.rows else math.nan

    def lines(self) -> list[str]:
        missing, extra = sum(self.comparison.missing.values()), sum(self.comparison.extra.values())
        rate = f"{self.rows / self.seconds:.0f} rows/s" if self.seconds else "NOT finished"
        return [
            f"{self.rows} inbox rows worked in {self.seconds or math.inf:.1f} s = {rate}; "
            f"worker: {self.cpu_ms:.2f} ms CPU per row",
            self.counted.per_row(self.rows),
            f"order fetches: {self.fetches}; duplicate fetches (in flight together): {self.duplicates}; "
            f"lock waits: {self.counted.workers['lock waits']}",
            f"store vs oracle: {'exact match' if self.comparison.exact else f'{missing} missing, {extra} extra'}",
        ]


async def pending_rows(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(PENDING))
    finally:
        await connection.close()


PENDING = "SELECT count(*) FROM notification WHERE status = 'pending'"


async def until(check: Callable[[], Awaitable[bool]], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def backlog_round(args: argparse.Namespace, workers: int) -> Round:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)))
        args.workers = 0  # the web process and the sandbox only, while the backlog builds
        run = ScaleRun(args, stack, http)
        run.env_extra = {"MELI_DATABASE_POOL_SIZE": "5"}  # 4 workers and the web stay under max_connections
        await run.start()
        await run.drive(step_rate(args.seed, args.orders, args.notifications))

        async def delivered() -> bool:
            return bool((await run.control("GET", "/_sandbox/notifications?state=pending"))["total"] == 0)

        if not await until(delivered, 120):
            raise RuntimeError("the sandbox could not deliver its notifications within 120 s")
        rows = await pending_rows(run.dsn)
        children = await run.start_workers(workers)
        for port in run.metrics_ports:  # start-up done: from here on the workers work the backlog
            await until(lambda port=port: _answers(http, port), 30)  # type: ignore[misc]
        before = {child.name: procs.cpu_seconds(child.process.pid) or 0.0 for child in children}
        counted = await counts.Counts.read(http, run.redis_url, run.metrics_ports)
        started = time.monotonic()
        watcher = await asyncpg.connect(run.dsn)
        stack.push_async_callback(watcher.close)
        done = await until(lambda: _none_pending(watcher), args.drain)
        seconds = time.monotonic() - started if done else None
        cpu = sum((procs.cpu_seconds(c.process.pid) or 0.0) - before[c.name] for c in children)
        counted = (await counts.Counts.read(http, run.redis_url, run.metrics_ports)).since(counted)
        fetches, duplicates = await run.fetches()
        oracle = await run.oracle()
        return Round(workers, rows, seconds, cpu, counted, fetches, duplicates, await run.compare(oracle))


async def _answers(http: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with http.get(f"http://{procs.HOST}:{port}/metrics") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def _none_pending(connection: asyncpg.Connection) -> bool:
    return int(await connection.fetchval(PENDING)) == 0


def main() -> int:
    parser = latency.build_parser(__doc__)
    parser.add_argument("--workers-list", default="1,2,4", help="worker process counts, one round each")
    parser.add_argument("--sellers", type=int, default=8, help="sandbox sellers, all connected")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the worker counts (median CPU per row)")
    parser.set_defaults(notifications=500.0, duration=20.0, orders=400, drain=120.0)
    args = parser.parse_args()
    args.duration, args.drain = min(args.duration, 45.0), min(args.drain, 300.0)
    procs.exit_on_sigterm()
    print(f"nproc: {procs.nproc()}; load average before the runs: {procs.load_average()}")
    rounds: list[Round] = []
    counts_list = [int(n) for n in args.workers_list.split(",")]
    for repeat in range(args.repeat):  # interleaved: a busy minute of the machine hits every worker count
        for workers in counts_list:
            rounds.append(asyncio.run(backlog_round(args, workers)))
            print(f"\n{workers} worker(s), pass {repeat + 1}:\n  " + "\n  ".join(rounds[-1].lines()), flush=True)
    cost = {n: statistics.median(r.cpu_ms for r in rounds if r.workers == n) for n in counts_list}
    base = counts_list[0]
    verdict = [
        f"worker CPU per row with {n} workers (median of {args.repeat}): {cost[n]:.2f} ms = "
        f"{cost[n] / cost[base]:.0%} of {base} worker's "
        f"({'within' if abs(cost[n] / cost[base] - 1) <= 0.10 else 'NOT within'} 10 %); duplicate fetches "
        f"{sum(r.duplicates for r in rounds if r.workers == n)}; lock waits "
        f"{sum(r.counted.workers['lock waits'] for r in rounds if r.workers == n)}"
        for n in counts_list[1:]
    ]
    print("\n" + "\n".join(verdict))
    if args.record:
        setup = (
            f"{args.sellers} sellers; a backlog of {args.duration:g} s of activity at {args.notifications:g} "
            "notifications/s, then the workers start"
        )
        report = [f"- {r.workers} worker(s): " + "; ".join(r.lines()) for r in rounds]
        results.append_results("Scale-out (sandbox at 50 ms per call)", setup, [*report, *(f"- {v}" for v in verdict)])
    exact = all(r.comparison.exact and r.seconds is not None for r in rounds)
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
