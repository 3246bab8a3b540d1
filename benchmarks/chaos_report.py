"""The summary of a chaos run: one Markdown table (pasted as is into benchmarks/RESULTS.md), the events by
action, and the timeline of what was done to the processes."""

from __future__ import annotations

from dataclasses import dataclass, field

try:
    from benchmarks import chaos_check as check
    from benchmarks.chaos_plan import BASE_FAULTS, SPIKE, Options
except ModuleNotFoundError:  # run as `python benchmarks/chaos.py`: its own folder is on sys.path
    import chaos_check as check  # type: ignore[no-redef, import-not-found]
    from chaos_plan import BASE_FAULTS, SPIKE, Options  # type: ignore[no-redef, import-not-found]


@dataclass
class Tally:
    """What the run did, filled in as it goes."""

    steps: int = 0
    rate: float = 0.0
    bursts: int = 0
    burst_steps: int = 0
    spikes: int = 0
    tokens_expired: list[int] = field(default_factory=list)
    redis_restarts: int = 0
    kills: dict[str, int] = field(default_factory=lambda: {"worker": 0, "web": 0})
    crashes: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    play_seconds: float = 0.0
    drain_seconds: float = 0.0
    drained: bool = False
    drain_state: str = ""


@dataclass
class Observed:
    """What the run measured at the end."""

    deliveries: dict[str, int]
    faults: dict[int, int]
    inbox: dict[str, int]
    lag: list[float]
    verdict: check.Verdict
    proxy_refused: int


def passed(tally: Tally, seen: Observed) -> bool:
    verdict = seen.verdict
    open_rows = seen.inbox.get("pending", 0) + seen.inbox.get("parked", 0)
    exact = verdict.comparison.exact and verdict.missing == verdict.duplicated == verdict.wrong == 0
    return tally.drained and exact and open_rows == 0


def _faults(options: Options, tally: Tally, seen: Observed) -> str:
    f = seen.faults
    spike = f"{tally.spikes} latency spikes of {options.spike_seconds:g} s ({SPIKE['latency_ms']:g} ms + up to "
    spike += f"{SPIKE['latency_jitter_ms']:g} ms per request)"
    return (
        f"ML API answers: 5xx {f[500] + f[502] + f[503]:,} · 429 {f[429]:,} · 401 {f[401]:,} (after the token "
        f"expiry); {spike}; base latency {BASE_FAULTS['latency_ms']:g} ms + up to "
        f"{BASE_FAULTS['latency_jitter_ms']:g} ms"
    )


def _notifications(options: Options, tally: Tally, seen: Observed) -> str:
    d = seen.deliveries
    scale = options.notify_time_scale
    return (
        f"{d['notifications']:,} sent + {d['duplicates']:,} duplicated copies; late {BASE_FAULTS['late_rate']:.0%} "
        f"(held {BASE_FAULTS['late_s'] * scale:g} s), reordered {BASE_FAULTS['reorder_rate']:.0%} (held "
        f"{scale:g}-{10 * scale:g} s); {tally.bursts} bursts ({tally.burst_steps:,} steps at once); "
        f"{d['failed_attempts']:,} failed attempts retried by the sandbox ({seen.proxy_refused:,} refused while a "
        f"web process was down); {d['missed']:,} missed, {d['pending']:,} still pending"
    )


def _kills(tally: Tally) -> str:
    expired = ", ".join(str(n) for n in tally.tokens_expired) or "0"
    return (
        f"worker SIGKILL {tally.kills['worker']} · web SIGKILL {tally.kills['web']} · Redis restarted with data gone "
        f"{tally.redis_restarts} · every access token expired {len(tally.tokens_expired)}x ({expired} tokens) · "
        f"processes that exited on their own (restarted): {len(tally.crashes)}"
    )


def _scenario(options: Options, tally: Tally) -> str:
    orders = options.sellers * options.orders_per_seller
    return (
        f"{options.sellers} sellers x {options.orders_per_seller} orders = {orders:,} orders, {tally.steps:,} "
        f"lifecycle steps played in {tally.play_seconds:.0f} s (driver {tally.rate:.1f} steps/s + bursts); "
        "2 web + 2 worker processes, PostgreSQL, private Redis"
    )


def _events(verdict: check.Verdict) -> str:
    expected, stored = sum(verdict.comparison.expected.values()), sum(verdict.comparison.stored.values())
    return (
        f"expected {expected:,} · stored {stored:,} · missing {verdict.missing:,} · duplicated "
        f"{verdict.duplicated:,} · wrong {verdict.wrong:,}"
    )


def summary_rows(options: Options, tally: Tally, seen: Observed) -> list[tuple[str, str]]:
    return [
        ("scenario", _scenario(options, tally)),
        ("notifications", _notifications(options, tally, seen)),
        ("faults injected", _faults(options, tally, seen)),
        ("kills", _kills(tally)),
        ("events", _events(seen.verdict)),
        ("inbox rows", check.status_text(seen.inbox)),
        ("lag notification → processed", check.lag_summary(seen.lag)),
        ("drain", f"{'done' if tally.drained else 'NOT done'} {tally.drain_seconds:.0f} s after the last step"),
        ("result", "PASS" if passed(tally, seen) else "FAIL"),
    ]


def render(options: Options, tally: Tally, seen: Observed) -> str:
    lines = ["| chaos run | |", "|---|---|"]
    lines += [f"| {name} | {text} |" for name, text in summary_rows(options, tally, seen)]
    lines += ["", "| action | expected | stored | missing | extra or wrong |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {a} | {e:,} | {s:,} | {m:,} | {x:,} |" for a, e, s, m, x in seen.verdict.comparison.by_action()]
    lines += ["", "timeline:", *(f"  {entry}" for entry in tally.timeline)]
    if tally.crashes:
        lines += ["processes that exited on their own:", *(f"  {note}" for note in tally.crashes)]
    if not tally.drained:
        lines.append(f"not drained: {tally.drain_state}")
    lines += [f"  {line}" for line in check.mismatch_sample(seen.verdict)]
    return "\n".join(lines)
