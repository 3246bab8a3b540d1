"""`drain_seller`: one seller's notifications, in batches, by one drain at a time.

The protocol (requests: worker/pipeline/queue.py):
1. Take the seller's drain lock (a short expiry, renewed while held); a drain that finds it taken returns at
   once: the holder's follow-up (4) covers whatever it came for. Holding the lock, free the rows a dead drain
   of this seller had taken.
2. Take the due rows nobody works on (oldest first, a batch at most) and work them (worker/pipeline/batch.py):
   fetch, map, store, close. Batches overlap: the next is taken while earlier ones wait for ML, so a row waits
   for a batch slot, not for the batch before it; an order is fetched by one batch at a time.
3. While rows keep coming, the seller's drain flag stays set (requests meanwhile cost nothing but setting the
   seller's news key, which is what makes the drain read the inbox again). When nothing is due and nothing is
   in flight: clear the flag, look once more, stop if still nothing. A row committed after
   that look asks for a drain again; one committed before it is taken. The drain also stops after
   `drain_seconds`, so other sellers get their turn.
4. After releasing the lock: if rows are pending, queue a follow-up drain, deferred until the first is due.

Every order of a batch is fetched once however many rows name it, so coalescing needs no lock per resource;
one drain per seller means no two workers fetch the same order.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from connectors.errors import MeliError
from connectors.mercadolibre.client import Seller
from connectors.mercadolibre.constants import Kind
from worker import redis_keys
from worker.clock import utcnow
from worker.logs import get_logger
from worker.pipeline.batch import Group, OrderWork, Shared, groups_of, work_groups
from worker.pipeline.guards import hand_to_catchup, note_refusals
from worker.pipeline.locks import held_lock
from worker.pipeline.parts import Pipeline
from worker.pipeline.queue import FLAG_SECONDS, follow_up_drain
from worker.pipeline.reactions import Reaction, backoff, reaction_to
from worker.pipeline.sync import SyncTarget
from worker.store.accounts import get_account
from worker.store.inbox_batch import Closing, TakenRow, close_rows, next_due, release_taken, take_batch
from worker.store.models import AccountStatus, InboxStatus, MlAccount

log = get_logger(__name__)
LOCK_SECONDS = 15
POLL_SECONDS = 0.1  # between takes while rows come
MAX_BATCHES = 4  # batches in flight at once
FLAG_REFRESH_SECONDS = 5.0
LOOK_SECONDS = 1.0  # a drain with batches in flight reads the inbox at least this often


@dataclass
class DrainReport:
    busy: bool = False
    batches: int = 0
    rows: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


async def drain_seller(p: Pipeline, account_id: int) -> DrainReport:
    report = DrainReport()
    async with held_lock(p.redis, redis_keys.drain_lock(p.rules.queue_name, account_id), LOCK_SECONDS) as lock:
        if lock is None:
            report.busy = True
            return report
        await _drain(p, account_id, report)
    await _follow_up(p, account_id)
    return report


async def _drain(p: Pipeline, account_id: int, report: DrainReport) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + p.rules.drain_seconds
    account = await get_account(p.db, account_id)
    await release_taken(p.db, account_id)
    stream = Stream(p, account, account_id, report)
    try:
        while loop.time() < deadline:
            if await stream.take():
                await stream.pace()
            elif stream.busy:
                await stream.wait_any(POLL_SECONDS)
            elif not await stream.last_look():
                break
        await stream.finish()
    finally:
        stream.cancel()


@dataclass
class Stream:
    """The batches of one drain in flight, and what they share: one gate for the ML calls of all of them, one
    lock per order (one fetch of an order at a time)."""

    p: Pipeline
    account: MlAccount | None
    account_id: int
    report: DrainReport
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    shared: Shared = field(init=False)
    flagged_at: float = 0.0
    looked_at: float = 0.0  # when the inbox was last read
    full: bool = True  # the last batch was full (or none was taken yet): read again without waiting for news

    def __post_init__(self) -> None:
        self.shared = Shared(asyncio.Semaphore(self.p.rules.concurrency))

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    async def take(self, keep_flag: bool = True, look: bool = False) -> bool:
        """Take a batch and start it; False when nothing is due. Without `look`, the inbox is read only when
        rows may be waiting: requests came since the last read (the news key), the last batch was full, or a
        while passed (rows put back become due by time)."""
        if keep_flag:
            await self._keep_flag()
        news = await self.p.redis.delete(redis_keys.drain_news(self.p.rules.queue_name, self.account_id))
        now = asyncio.get_running_loop().time()
        if not (look or news or self.full or now - self.looked_at > LOOK_SECONDS):
            return False
        self.looked_at = now
        rows = await take_batch(self.p.db, self.account_id, self.token, self.p.rules.batch_size)
        self.full = len(rows) == self.p.rules.batch_size
        if not rows:
            return False
        task = asyncio.create_task(self._batch(rows))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return True

    async def pace(self) -> None:
        """Between takes: a short pause, longer while the batches in flight are many (each holds rows)."""
        if len(self.tasks) >= MAX_BATCHES:
            await self.wait_any(None)
        await asyncio.sleep(POLL_SECONDS)

    async def wait_any(self, at_most: float | None) -> None:
        if self.tasks:
            done, _ = await asyncio.wait(self.tasks, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a failed batch (the database away) stops the drain

    async def last_look(self) -> bool:
        """Clear the flag, then look once more: True when something came meanwhile (the drain goes on)."""
        await self.p.redis.delete(redis_keys.drain_flag(self.p.rules.queue_name, self.account_id))
        self.flagged_at = 0.0
        return await self.take(keep_flag=False, look=True)

    async def finish(self) -> None:
        while self.tasks:
            await self.wait_any(None)

    def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()

    async def _keep_flag(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self.flagged_at > FLAG_REFRESH_SECONDS:
            key = redis_keys.drain_flag(self.p.rules.queue_name, self.account_id)
            await self.p.redis.set(key, self.token, ex=FLAG_SECONDS)
            self.flagged_at = now

    async def _batch(self, rows: list[TakenRow]) -> None:
        closings = await work_batch(self.p, self.account, rows, self.shared)
        await close_rows(self.p.db, closings)
        self.report.batches += 1
        self.report.rows += len(rows)
        for closing in closings:
            self.report.outcomes[closing.status.value] = self.report.outcomes.get(closing.status.value, 0) + 1


async def _follow_up(p: Pipeline, account_id: int) -> None:
    due = await next_due(p.db, account_id)
    if due is not None:
        wait = (due - utcnow()).total_seconds()
        await follow_up_drain(p.redis, account_id, defer=wait if wait > 0 else None)


async def work_batch(p: Pipeline, account: MlAccount | None, rows: list[TakenRow], shared: Shared) -> list[Closing]:
    if account is None or account.id is None or account.status != AccountStatus.ACTIVE.value:
        return _unworkable(account, rows)
    if await hand_to_catchup(p, account.id, rows):
        return []
    target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
    groups = groups_of(rows, p.rules.attempt_budget)
    works = await work_groups(p, target, groups, shared)
    # Only a notified order ML refuses is a sign of forgery: a shipment, payment or claim ML does not show yet is
    # tried again later (batch.py), and a related document it refuses leaves a gap.
    orders = [group for group in groups if group.kind in (Kind.ORDER, Kind.MARKETPLACE_ORDER)]
    await note_refusals(p, account.id, [group.worst_error for group in orders])
    _observe(p, works)
    return [closing for group in groups for closing in closings_of(p, group)]


def _unworkable(account: MlAccount | None, rows: list[TakenRow]) -> list[Closing]:
    if account is not None and account.status == AccountStatus.NEEDS_REAUTH.value:
        return [_close(row, InboxStatus.PARKED, "seller is needs_reauth") for row in rows]
    reason = f"seller is {account.status if account is not None else 'gone'}"
    return [_close(row, InboxStatus.IGNORED, reason) for row in rows]


def _close(row: TakenRow, status: InboxStatus, reason: str | None, failed: int = 0) -> Closing:
    assert row.id is not None
    return Closing(row.id, status, reason[:500] if reason else None, failed)


def closings_of(p: Pipeline, group: Group) -> list[Closing]:
    """The rows' outcome, from the reaction table."""
    error = group.worst_error
    if error is None:
        reason = "; ".join(dict.fromkeys(group.problems)) or None
        return [_close(row, InboxStatus.DONE, reason) for row in group.rows]
    reaction = reaction_to(error)
    if reaction is Reaction.RETRY:
        return [_retry(p, group, row, error) for row in group.rows]
    if reaction is Reaction.IGNORE:
        p.metrics.foreign_documents.labels("order").inc()
    status = {Reaction.PARK: InboxStatus.PARKED, Reaction.IGNORE: InboxStatus.IGNORED}.get(reaction)
    return [_close(row, status or InboxStatus.FAILED, str(error), group.failed_calls) for row in group.rows]


def _retry(p: Pipeline, group: Group, row: TakenRow, error: MeliError) -> Closing:
    tries, failed = row.attempts + 1, group.failed_calls
    if tries < p.rules.max_tries and group.budget - failed > 0:
        assert row.id is not None
        due = utcnow() + timedelta(seconds=backoff(tries))
        return Closing(row.id, InboxStatus.PENDING, f"tried {tries} times: {error}"[:500], failed, due)
    spent = row.ml_failures + failed
    return _close(row, InboxStatus.FAILED, f"gave up after {tries} tries, {spent} failed calls: {error}", failed)


def _observe(p: Pipeline, works: list[OrderWork]) -> None:
    """New events by action and origin, and the time from the first notification naming the order to now."""
    now = utcnow()
    for work in works:
        oldest = min(row.received_at for group in work.groups for row in group.rows)
        for action, count in work.added.items():
            p.metrics.events.labels(action, work.origin.value).inc(count)
            for _ in range(count):
                p.metrics.lag.observe((now - oldest).total_seconds())
