"""Notification → event lag: the sandbox at 50 ms per API call sending ~200 notifications/s to our web and
worker processes on PostgreSQL.

    .venv/bin/python benchmarks/latency.py [--notifications 200] [--duration 30] [--latency-ms 50] [--record]

Starts `meli sandbox` (1 seller, no faults but `--latency-ms` per API call, retries compressed), a throw-away
PostgreSQL database, a private `redis-server`, `meli serve` and `meli worker`; connects the seller with tokens the
sandbox grants; runs the sandbox driver for `--duration` seconds at the step rate giving `--notifications`/s; stops
it, waits (bounded) until every notification is delivered and processed, compares the store with the sandbox oracle
and prints the lag percentiles.

Lag of a stored event E: `E.recorded_at - C.received_at`, C being the first inbox row (our wall clock) whose
notification reports a change (ML's `received`, simulated time) at or after the moment E became visible in ML's
documents: the oracle's `known_at`, the simulated time of the step that made it so (`with_known_at=true`). That
is E's `tracked_at` except where documents date a change earlier than it became visible (a refund approved after
`in_process` keeps its creation date; a `pending_cancel` completed later keeps the pending date): measuring from
`tracked_at` there would count the seconds ML took to decide as ours. The sandbox applies steps in
simulated-time order and POSTs a step's notifications at once, so C arrived no later than the notifications of
the step that made E visible: the lag is never underestimated. Stored before C arrived → 0; never stored →
infinite. ML budgets are raised (`--app-rate`, `--seller-rate`) so the run measures the pipeline, not our own
rate limit.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from worker.demo.compare import Comparison, compare, stored_events
from worker.demo.sellers import granted_tokens
from worker.settings import one_server
from worker.store.db import open_database

try:
    from benchmarks import counts, flame, procs, results
    from benchmarks.lag import Pairs, lags, step_rate
    from benchmarks.latency_report import Outcome, report
except ModuleNotFoundError:  # run as `python benchmarks/latency.py`: its own folder is on sys.path
    import counts  # type: ignore[no-redef, import-not-found]
    import flame  # type: ignore[no-redef, import-not-found]
    import procs  # type: ignore[no-redef, import-not-found]
    import results  # type: ignore[no-redef, import-not-found]
    from lag import Pairs, lags, step_rate  # type: ignore[no-redef, import-not-found]
    from latency_report import Outcome, report  # type: ignore[no-redef, import-not-found]

PY_SPY = str(Path(sys.executable).with_name("py-spy"))
SANDBOX = "import sys; from sandboxes.mercadolibre.cli import sandbox_command; sandbox_command(sys.argv[1:])"


class Run:
    """The processes and clients of one run; `play` drives the sandbox and collects the numbers."""

    def __init__(self, args: argparse.Namespace, stack: AsyncExitStack, http: aiohttp.ClientSession) -> None:
        self.args, self.stack, self.http = args, stack, http
        self.sandbox_url, self.web_port = f"http://{procs.HOST}:{procs.free_port()}", procs.free_port()
        self.sandbox_extra: list[str] = []  # more `meli sandbox` options, and more worker environment:
        self.env_extra: dict[str, str] = {}  # for a variant of the run (latency_backfill.py)
        self.profiler: procs.Child | None = None
        self.metrics_ports: list[int] = []

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.sandbox_url}{path}", json=body) as response:
            if response.status >= 300:
                raise RuntimeError(f"sandbox {method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def start(self) -> None:
        args = self.args
        bench = await procs.enter_bench(self.stack, "latency")
        self.dsn, self.group, self.redis_url = bench.dsn, bench.group, bench.redis_url
        self.settings = procs.bench_settings(
            bench.dsn, bench.redis_url, bench.queue, **one_server(self.sandbox_url), ml_app_rate=args.app_rate,
            ml_seller_rate=args.seller_rate,
        )  # fmt: skip
        await procs.migrate(self.settings)
        callback = f"http://{procs.HOST}:{self.web_port}/webhooks/mercadolibre"
        sandbox = await self.group.start("sandbox", [
            sys.executable, "-c", SANDBOX, "--port", self.sandbox_url.rsplit(":", 1)[1], "--seed", str(args.seed),
            "--sellers", "1", "--orders", str(args.orders), "--rate", "0", "--callback-url", callback,
            "--latency-ms", str(args.latency_ms), "--notify-time-scale", "0.01", *self.sandbox_extra,
        ])  # fmt: skip
        await procs.wait_http(sandbox, f"{self.sandbox_url}/_sandbox")
        await self.connect()
        self.env = procs.child_env(self.settings) | self.env_extra
        if args.event_loop:
            self.env["MELI_EVENT_LOOP"] = args.event_loop
        web = await self.group.start(
            "web", [procs.MELI, "serve", "--host", procs.HOST, "--port", str(self.web_port)], self.env
        )
        workers = await self.start_workers(args.workers)
        await procs.wait_http(web, f"http://{procs.HOST}:{self.web_port}/healthz")
        await asyncio.sleep(2.0)  # the workers connect to Redis and run their start-up cron jobs
        if args.profile and workers:  # py-spy samples the first worker without pausing it; stopped after the drain
            spy = [PY_SPY, "record", "--pid", str(workers[0].process.pid), "--nonblocking", "--format", "raw"]
            self.profiler = await self.group.start("py-spy", [*spy, "--rate", "200", "--output", str(args.profile)])

    async def start_workers(self, count: int) -> list[procs.Child]:
        """`count` more `meli worker` processes, each with its own /metrics port."""
        ports = [procs.free_port() for _ in range(count)]
        first = len(self.metrics_ports) + 1
        self.metrics_ports += ports
        return [
            await self.group.start(
                f"worker{first + n}", [procs.MELI, "worker"], self.env | {"MELI_WORKER_METRICS_PORT": str(port)}
            )
            for n, port in enumerate(ports)
        ]

    async def stop_profiler(self) -> None:
        if self.profiler is not None and self.profiler.process.returncode is None:
            self.profiler.process.send_signal(signal.SIGINT)
            await asyncio.wait_for(self.profiler.process.wait(), timeout=30)

    async def connect(self) -> None:
        seller = (await self.control("GET", "/_sandbox/sellers"))["sellers"][0]
        tokens = granted_tokens(await self.control("POST", f"/_sandbox/sellers/{seller['id']}/tokens"))
        self.seller_id = int(seller["id"])
        ids = await procs.connect_seller(self.settings, self.seller_id, seller["site_id"], tokens)
        self.business_id, self.account_id = ids

    async def drive(self, steps_per_s: float) -> float:
        """Run the driver for the bounded window; returns its length in seconds."""
        started = time.monotonic()
        await self.control("PUT", "/_sandbox/driver", {"rate": steps_per_s})
        await asyncio.sleep(self.args.duration)
        await self.control("PUT", "/_sandbox/driver", {"rate": 0})
        return time.monotonic() - started

    async def drained(self) -> bool:
        deliveries = await self.control("GET", "/_sandbox/notifications?state=pending")
        connection = await asyncpg.connect(self.dsn)
        try:
            pending = await connection.fetchval("SELECT count(*) FROM notification WHERE status = 'pending'")
        finally:
            await connection.close()
        return bool(deliveries["total"] == 0 and pending == 0)

    async def wait_drained(self) -> float | None:
        """Seconds until nothing is in flight (two quiet checks in a row), None if `--drain` ran out."""
        started = time.monotonic()
        quiet = 0
        while time.monotonic() - started < self.args.drain:
            quiet = quiet + 1 if await self.drained() else 0
            if quiet == 2:
                return time.monotonic() - started
            await asyncio.sleep(0.5)
        return None

    async def oracle(self) -> list[dict[str, Any]]:
        path = f"/_sandbox/expected-events?seller_id={self.seller_id}&include_delivered=false&with_known_at=true"
        events: list[dict[str, Any]] = (await self.control("GET", path))["events"]
        return events

    async def compare(self, oracle: list[dict[str, Any]]) -> Comparison:
        db = open_database(self.settings.database_url)
        try:
            return compare(oracle, await stored_events(db, self.business_id))
        finally:
            await db.close()

    async def notes(self) -> list[str]:
        return []

    async def failed_attempts(self) -> int:
        deliveries = (await self.control("GET", "/_sandbox/notifications"))["deliveries"]
        return sum(a["http_code"] != 200 or bool(a["error"]) for d in deliveries for a in d["attempts"])


async def collect(run: Run, oracle: list[dict[str, Any]]) -> tuple[Pairs, Pairs, list[float], dict[str, int]]:
    """(ML change time, received_at) per inbox row, (known_at, recorded_at) per event (known_at from the oracle,
    the event's tracked_at for an event the oracle does not list), the inbox rows' received -> processed seconds,
    and the rows by status."""
    connection = await asyncpg.connect(run.dsn)
    try:
        rows = await connection.fetch("SELECT body->>'received' AS change, * FROM notification")
        events = await connection.fetch(
            "SELECT dedupe_key, tracked_at, recorded_at FROM event WHERE origin <> 'backfill'"
        )
    finally:
        await connection.close()
    known = {event["dedupe_key"]: datetime.fromisoformat(event["known_at"]) for event in oracle}
    notes = [(datetime.fromisoformat(row["change"]), row["received_at"]) for row in rows]
    processing = [(r["processed_at"] - r["received_at"]).total_seconds() for r in rows if r["processed_at"]]
    statuses = Counter(str(row["status"]) for row in rows)
    pairs = [(known.get(row["dedupe_key"], row["tracked_at"]), row["recorded_at"]) for row in events]
    return notes, pairs, processing, dict(statuses)


async def play(args: argparse.Namespace, make_run: type[Run] = Run) -> Outcome:
    steps_per_s = step_rate(args.seed, args.orders, args.notifications)
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)))
        run = make_run(args, stack, http)
        await run.start()
        before, counted = run.group.cpu(), await counts.Counts.read(http, run.redis_url, run.metrics_ports)
        window = await run.drive(steps_per_s)
        drained = await run.wait_drained()
        cpu = {name: used - before.get(name, 0.0) for name, used in run.group.cpu().items() if name != "py-spy"}
        counted = (await counts.Counts.read(http, run.redis_url, run.metrics_ports)).since(counted)
        await run.stop_profiler()
        oracle = await run.oracle()
        notes, events, processing, inbox = await collect(run, oracle)
        return Outcome(
            notifications=len(notes), window_s=window, steps_per_s=steps_per_s, events=len(events),
            lag=lags(notes, events), processing=processing, drained_s=drained, comparison=await run.compare(oracle),
            failed_attempts=await run.failed_attempts(), inbox=inbox, cpu=cpu, notes=await run.notes(), counts=counted,
        )  # fmt: skip


def build_parser(description: str | None = __doc__) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notifications", type=float, default=200.0, help="target notifications per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds the sandbox generates activity (<= 45)")
    parser.add_argument("--drain", type=float, default=40.0, help="at most this many seconds to finish afterwards")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="sandbox latency per API call")
    parser.add_argument("--orders", type=int, default=700, help="live orders planned in the sandbox world")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="`meli worker` processes")
    parser.add_argument("--app-rate", type=float, default=2000.0, help="MELI_ML_APP_RATE (requests/s)")
    parser.add_argument("--seller-rate", type=float, default=1000.0, help="MELI_ML_SELLER_RATE (requests/s)")
    parser.add_argument("--record", action="store_true", help="append the result to benchmarks/RESULTS.md")
    parser.add_argument("--event-loop", choices=("uvloop", "asyncio"), help="MELI_EVENT_LOOP of web and workers")
    parser.add_argument(
        "--profile", type=Path, help="sample the first worker with py-spy into this file (raw; see flame.py)"
    )
    return parser


def main(args: argparse.Namespace, make_run: type[Run] = Run, title: str = "Notification → event lag") -> int:
    args.duration, args.drain = min(args.duration, 45.0), min(args.drain, 50.0)
    procs.exit_on_sigterm()
    load = procs.load_average()
    outcome = asyncio.run(play(args, make_run))
    lines = [f"load average before the run: {load}", *report(outcome, args), *outcome.notes]
    print(f"nproc: {procs.nproc()}")
    print("\n".join(lines))
    if args.profile:
        print("\n".join(flame.summarize(args.profile, top=30)))
    if args.record:
        setup = (
            f"sandbox, web, {args.workers} worker(s), PostgreSQL and a private Redis on the same machine; "
            f"ML budgets {args.app_rate:g}/s per app, {args.seller_rate:g}/s per seller"
        )
        results.append_results(f"{title} (sandbox at 50 ms per call)", setup, [f"- {x}" for x in lines])
    return 0 if outcome.comparison.exact else 1


if __name__ == "__main__":
    sys.exit(main(build_parser().parse_args()))
