"""What one latency run measured (`Outcome`) and the lines that report it (`report`)."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass

from worker.demo.compare import Comparison

try:
    from benchmarks import counts, procs
    from benchmarks.lag import Lags
except ModuleNotFoundError:  # run as `python benchmarks/latency.py`: its own folder is on sys.path
    import counts  # type: ignore[no-redef, import-not-found]
    import procs  # type: ignore[no-redef, import-not-found]
    from lag import Lags  # type: ignore[no-redef, import-not-found]


@dataclass
class Outcome:
    notifications: int
    window_s: float
    steps_per_s: float
    events: int
    lag: Lags
    processing: list[float]  # inbox row received -> processed, seconds
    drained_s: float | None
    comparison: Comparison
    failed_attempts: int
    inbox: dict[str, int]
    cpu: dict[str, float]  # CPU seconds per process from the start of the window to the end of the drain
    notes: list[str]  # what a variant of the run adds to the report
    counts: counts.Counts  # Redis commands and the workers' SQL statements and ML requests, window + drain


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value != math.inf else "∞"


def report(outcome: Outcome, args: argparse.Namespace) -> list[str]:
    comparison, lag = outcome.comparison, outcome.lag
    missing, extra = sum(comparison.missing.values()), sum(comparison.extra.values())
    # an expected event not stored by the end has a lag longer than the run: it counts as infinite
    lags = [*lag.seconds, *[math.inf] * missing]
    p50, p90, p99 = (procs.percentile(lags, p) for p in (50, 90, 99))
    drained = f"{outcome.drained_s:.1f} s" if outcome.drained_s is not None else f"NOT within {args.drain:g} s"
    worker_cpu = sum(used for name, used in outcome.cpu.items() if name.startswith("worker"))
    processed = sum(n for status, n in outcome.inbox.items() if status != "pending")
    return [
        f"notifications: {outcome.notifications} in a {outcome.window_s:.1f} s window = "
        f"{outcome.notifications / outcome.window_s:.0f}/s (driver {outcome.steps_per_s:.1f} steps/s); "
        f"failed delivery attempts: {outcome.failed_attempts}",
        f"drained after the window: {drained}; inbox rows by status: {json.dumps(outcome.inbox, sort_keys=True)}",
        f"events: {outcome.events} stored, {missing} expected but not stored{' (lag ∞)' if missing else ''}; "
        f"lag p50 {_seconds(p50)}, "
        f"p90 {_seconds(p90)}, p99 {_seconds(p99)}, max of stored {procs.percentile(lag.seconds, 100):.2f} s "
        f"(stored before their notification arrived: {lag.early}; unmatched: {lag.unmatched})",
        f"inbox row received -> processed: p50 {procs.percentile(outcome.processing, 50):.2f} s, "
        f"p99 {procs.percentile(outcome.processing, 99):.2f} s",
        "CPU seconds, window + drain: "
        + ", ".join(f"{name} {used:.1f}" for name, used in outcome.cpu.items())
        + (f" (worker: {worker_cpu / processed * 1000:.1f} ms per processed inbox row)" if processed else ""),
        outcome.counts.per_row(processed),
        f"target p50 < 0.5 s: {'met' if p50 < 0.5 else 'NOT met'}; target p99 < 2 s: {'met' if p99 < 2 else 'NOT met'}"
        + (
            f"; target ≤ 1.5 ms worker CPU per row: {'met' if worker_cpu / processed <= 0.0015 else 'NOT met'}"
            if processed
            else ""
        ),
        f"store vs oracle: {'exact match' if comparison.exact else f'{missing} missing, {extra} extra'} "
        f"({sum(comparison.expected.values())} expected events)",
    ]
