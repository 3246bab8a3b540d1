"""Scale-out: the same saturating load worked by 1, 2 and 4 `meli worker` processes, one after the other.

    .venv/bin/python benchmarks/scale.py [--workers-list 1,2,4] [--sellers 8] [--notifications 600]
                                         [--duration 20] [--record]

Each round is a whole `latency.py` run (sandbox at 50 ms per call, web, PostgreSQL, a private Redis) with
`--sellers` connected sellers, a notification rate above what the workers can take, and N workers. It prints
per round: inbox rows processed per second (window + drain), worker CPU per row, SQL statements, Redis commands
and ML requests per row, duplicate fetches (one order fetched twice while the first fetch was still in flight:
two workers doing the same work) and lock waits (a drain job that found its seller's drain held by another
worker). The verdict compares the CPU per row of every round with one worker's: coordination that grew with the
number of workers would show there. All processes share this machine's cores, so rows per second cannot grow
with the workers here; the cost per row is what must not.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.demo.compare import Comparison, compare, stored_events
from worker.store.accounts import TokenSet
from worker.store.db import open_database

try:
    from benchmarks import latency, procs, results
except ModuleNotFoundError:  # run as `python benchmarks/scale.py`: its own folder is on sys.path
    import latency  # type: ignore[no-redef, import-not-found]
    import procs  # type: ignore[no-redef, import-not-found]
    import results  # type: ignore[no-redef, import-not-found]

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
            pair = await self.control("POST", f"/_sandbox/sellers/{seller['id']}/tokens")
            expires = datetime.now(UTC) + timedelta(seconds=pair["expires_in"])
            tokens = TokenSet(pair["access_token"], pair["refresh_token"], expires, pair["scope"])
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

    async def notes(self) -> list[str]:
        requests = (await self.control("GET", "/_sandbox/requests?method=GET&path_prefix=/orders/"))["requests"]
        fetches = sum(bool(ORDER.match(entry["path"])) for entry in requests)
        duplicates = duplicate_fetches(requests, self.args.latency_ms / 1000)
        return [f"order fetches: {fetches}; duplicate fetches (in flight together): {duplicates}"]


NUMBER = r"([0-9.]+)"


def summary(lines: list[str], workers: int) -> dict[str, float]:
    """The numbers the verdict needs, read back from one round's report lines."""
    text = "\n".join(lines)

    def find(pattern: str) -> float:  # a count that stayed 0 is not printed
        match = re.search(pattern, text)
        return float(match[1]) if match else 0.0

    return {
        "workers": workers,
        "cpu_ms": find(rf"worker: {NUMBER} ms per processed inbox row"),
        "duplicates": find(rf"duplicate fetches \(in flight together\): {NUMBER}"),
        "lock_waits": find(rf"lock waits {NUMBER}"),
    }


def rows_per_second(outcome: latency.Outcome, drain_limit: float) -> float:
    processed = sum(n for status, n in outcome.inbox.items() if status != "pending")
    return processed / (outcome.window_s + (outcome.drained_s if outcome.drained_s is not None else drain_limit))


def main() -> int:
    parser = latency.build_parser(__doc__)
    parser.add_argument("--workers-list", default="1,2,4", help="worker process counts, one round each")
    parser.add_argument("--sellers", type=int, default=8, help="sandbox sellers, all connected")
    parser.set_defaults(notifications=600.0, duration=20.0, orders=400)
    args = parser.parse_args()
    args.duration, args.drain = min(args.duration, 45.0), min(args.drain, 50.0)
    procs.exit_on_sigterm()
    print(f"nproc: {procs.nproc()}; load average before the runs: {procs.load_average()}")
    rounds: list[dict[str, float]] = []
    report: list[str] = []
    for workers in (int(n) for n in args.workers_list.split(",")):
        args.workers = workers
        outcome = asyncio.run(latency.play(args, ScaleRun))
        lines = [*latency.report(outcome, args), *outcome.notes]
        lines.insert(0, f"processed: {rows_per_second(outcome, args.drain):.0f} rows/s")
        print(f"\n{workers} worker(s):\n  " + "\n  ".join(lines), flush=True)
        report += [f"- {workers} worker(s): " + "; ".join(lines)]
        rounds.append(summary(lines, workers))
    base = rounds[0]["cpu_ms"]
    verdict = [
        f"worker CPU per row with {r['workers']:g} workers: {r['cpu_ms']:.2f} ms = {r['cpu_ms'] / base * 100:.0f} % "
        f"of {rounds[0]['workers']:g} worker's ({'within' if abs(r['cpu_ms'] / base - 1) <= 0.10 else 'NOT within'}"
        f" 10 %); duplicate fetches {r['duplicates']:g}; lock waits {r['lock_waits']:g}"
        for r in rounds[1:]
    ]
    print("\n" + "\n".join(verdict))
    if args.record:
        setup = f"{args.sellers} sellers, {args.notifications:g} notifications/s for {args.duration:g} s per round"
        results.append_results("Scale-out (sandbox at 50 ms per call)", setup, [*report, *(f"- {v}" for v in verdict)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
