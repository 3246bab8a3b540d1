"""What a chaos run observes and checks: the sandbox control API, the faults the sandbox injected, whether
everything has been delivered and processed, the event store against the oracle, and the lag.

Lag definition ("notification → processed"): for every inbox row that needed work (a connected seller's
resource) and ended `done`, `processed_at - received_at`. `received_at` is when the webhook committed the row
(before answering 200); `processed_at` is set by the job that fetched the resource, right after it stored
that fetch's events (rows coalesced into one fetch share it). So it is the time until the event store holds
everything the notification announced, measured from the inbox timestamps of PostgreSQL (one clock), and it
includes every recovery the run forces (kills, Redis loss, retries).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlmodel import col, select

from worker import redis_keys
from worker.demo.compare import Comparison, compare, stored_events
from worker.store.db import Database
from worker.store.inbox import count_by_status
from worker.store.models import InboxRow, InboxStatus

try:
    from benchmarks import procs
except ModuleNotFoundError:  # run as `python benchmarks/chaos.py`: its own folder is on sys.path
    import procs  # type: ignore[no-redef, import-not-found]

FAULT_STATUSES = (500, 502, 503, 504, 429, 401)


class Control:
    """The sandbox control API (no faults are injected on it)."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http, self.base_url = http, base_url

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.base_url}{path}", json=body) as response:
            if response.status >= 300:
                raise RuntimeError(f"sandbox {method} {path} answered {response.status}: {await response.text()}")
            return await response.json()

    async def pending_steps(self) -> int:
        return int((await self.call("GET", "/_sandbox/driver"))["pending_steps"])


@dataclass
class FaultLog:
    """ML API answers with a fault status, read from the sandbox request log (a ring of 100,000 entries,
    polled every few seconds; entries are told apart by time in ms, method, path and query)."""

    seen: dict[int, set[tuple[str, ...]]] = field(default_factory=lambda: {s: set() for s in FAULT_STATUSES})

    async def poll(self, control: Control) -> None:
        for status in FAULT_STATUSES:
            body = await control.call("GET", f"/_sandbox/requests?status={status}")
            for entry in body["requests"]:
                if not entry["path"].startswith("/_sandbox"):
                    self.seen[status].add((entry["time"], entry["method"], entry["path"], entry["query"]))

    def counts(self) -> dict[int, int]:
        return {status: len(entries) for status, entries in self.seen.items()}


async def delivery_stats(control: Control) -> dict[str, int]:
    """Notifications the sandbox sent: deliveries (first copies and duplicates), attempts, failed attempts."""
    deliveries = (await control.call("GET", "/_sandbox/notifications"))["deliveries"]
    attempts = [a for d in deliveries for a in d["attempts"]]
    return {
        "notifications": sum(1 for d in deliveries if not d["duplicate"]),
        "duplicates": sum(1 for d in deliveries if d["duplicate"]),
        "attempts": len(attempts),
        "failed_attempts": sum(1 for a in attempts if a["http_code"] != 200 or a["error"]),
        "missed": sum(1 for d in deliveries if d["state"] == "missed"),
        "pending": sum(1 for d in deliveries if d["state"] == "pending"),
    }


@dataclass(frozen=True)
class Drain:
    done: bool
    open_rows: int
    text: str


async def drained(control: Control, db: Database, redis_url: str, queue: str) -> Drain:
    """Nothing left to do: no planned step, no delivery pending, no open (pending or parked) inbox row. Jobs
    still queued are shown but not waited for: a job whose row is closed returns at once and stores nothing
    (after a worker SIGKILL, arq keeps the killed jobs queued until its in-progress timeout, 310 s)."""
    steps = await control.pending_steps()
    deliveries = (await control.call("GET", "/_sandbox/notifications?state=pending"))["total"]
    inbox = await count_by_status(db)
    open_rows = inbox.get(InboxStatus.PENDING.value, 0) + inbox.get(InboxStatus.PARKED.value, 0)
    client = Redis.from_url(redis_url)
    try:
        queued: int | str = int(await client.zcard(queue))
    except (RedisError, OSError):
        queued = "redis unreachable"
    finally:
        await client.aclose()
    text = f"steps {steps}, deliveries pending {deliveries}, inbox {dict(sorted(inbox.items()))}, queued {queued}"
    return Drain(steps == 0 and deliveries == 0 and open_rows == 0, open_rows + steps + deliveries, text)


async def open_rows(db: Database, redis_url: str, queue: str, limit: int = 8) -> list[str]:
    """The oldest open inbox rows and the state of their seller's drain, to tell a lost drain from one that waits
    (for its lock, or a retry)."""
    statement = (
        select(InboxRow)
        .where(col(InboxRow.status).in_([InboxStatus.PENDING.value, InboxStatus.PARKED.value]))
        .order_by(col(InboxRow.id))
        .limit(limit)
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    client = Redis.from_url(redis_url)
    try:
        return [await _row_state(client, queue, row) for row in rows]
    except (RedisError, OSError) as exc:
        return [f"redis unreachable: {exc}"]
    finally:
        await client.aclose()


async def _row_state(client: Redis, queue: str, row: InboxRow) -> str:
    """A row and its seller's drain: whether one is asked for (flag), and whether one is at work (lock)."""
    assert row.id is not None and row.account_id is not None
    flag, lock = redis_keys.drain_flag(queue, row.account_id), redis_keys.drain_lock(queue, row.account_id)
    due = f"due {row.due_at:%H:%M:%S}" if row.due_at else "due now"
    return (
        f"row {row.id} {row.status} {row.kind} {row.resource_id} received {row.received_at:%H:%M:%S}, {due}, "
        f"tries {row.attempts}: drain asked ttl {await client.pttl(flag)} ms, "
        f"drain lock ttl {await client.pttl(lock)} ms"
    )


@dataclass
class Verdict:
    comparison: Comparison
    per_seller: dict[int, tuple[int, int]]  # seller id -> (expected, stored)

    @property
    def missing(self) -> int:
        return sum(self.comparison.missing.values())

    @property
    def duplicated(self) -> int:
        """Stored more often than expected, with every compared field right."""
        return sum(n for key, n in self.comparison.extra.items() if key in self.comparison.expected)

    @property
    def wrong(self) -> int:
        """Stored events the oracle does not have (a wrong amount, time, buyer or key counts here)."""
        return sum(n for key, n in self.comparison.extra.items() if key not in self.comparison.expected)


async def verify(control: Control, db: Database, businesses: dict[int, int]) -> Verdict:
    """Event store vs oracle for every seller (order.delivered is not tracked by default settings)."""
    comparison = Comparison()
    per_seller = {}
    for seller_id, business_id in businesses.items():
        oracle = await control.call("GET", f"/_sandbox/expected-events?seller_id={seller_id}&include_delivered=false")
        stored = await stored_events(db, business_id)
        compare(oracle["events"], stored, comparison)
        per_seller[seller_id] = (len(oracle["events"]), len(stored))
    return Verdict(comparison, per_seller)


async def lag_seconds(db: Database) -> list[float]:
    """notification → processed for every done row that needed work (see the module docstring)."""
    statement = select(col(InboxRow.received_at), col(InboxRow.processed_at)).where(
        col(InboxRow.status) == InboxStatus.DONE.value, col(InboxRow.kind).is_not(None)
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [(done - received).total_seconds() for received, done in rows if done is not None]


def lag_summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p99 = procs.percentile(values, 50), procs.percentile(values, 99)
    return f"p50 {p50:.2f} s · p99 {p99:.2f} s · max {max(values):.1f} s (n = {len(values):,})"


def mismatch_sample(verdict: Verdict, limit: int = 10) -> list[str]:
    lines = [f"missing: {key}" for key in list(verdict.comparison.missing)[:limit]]
    lines += [f"extra:   {key}" for key in list(verdict.comparison.extra)[:limit]]
    return lines


def status_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {n:,}" for status, n in sorted(Counter(counts).items()))
