"""`drain_seller`: one seller's notifications, a batch at a time, by one drain at a time.

The protocol (requests: worker/pipeline/queue.py):
1. Take the seller's drain lock (a short expiry, renewed while held); a drain that finds it taken returns at
   once: the holder's follow-up (4) covers whatever it came for.
2. Clear the seller's drain flag, then load the due rows (oldest first, a batch at most). A row committed after
   the load asks for a drain again (its flag is clear); one committed before it is in the batch.
3. Work the batch (worker/pipeline/batch.py) and close its rows; repeat from 2 until nothing is due or the
   drain has run `drain_seconds` (other sellers then get their turn).
4. After releasing the lock: if rows are pending, queue a follow-up drain, deferred until the first is due.

Every order of a batch is fetched once however many rows name it, so coalescing needs no lock per resource;
one drain per seller means no two workers fetch the same order for the same change.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from connectors.errors import MeliError
from connectors.mercadolibre.client import Seller
from connectors.mercadolibre.constants import Kind
from worker import redis_keys
from worker.logs import get_logger
from worker.pipeline.batch import Group, OrderWork, groups_of, work_groups
from worker.pipeline.guards import hand_to_catchup, note_refusals
from worker.pipeline.locks import held_lock
from worker.pipeline.parts import Pipeline
from worker.pipeline.queue import follow_up_drain
from worker.pipeline.reactions import Reaction, backoff, reaction_to
from worker.pipeline.sync import SyncTarget
from worker.store.accounts import get_account
from worker.store.inbox_batch import Closing, close_rows, load_batch, next_due
from worker.store.models import AccountStatus, InboxRow, InboxStatus, MlAccount, utcnow

log = get_logger(__name__)
LOCK_SECONDS = 15


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
    while loop.time() < deadline:
        await p.redis.delete(redis_keys.drain_flag(p.rules.queue_name, account_id))
        rows = await load_batch(p.db, account_id, p.rules.batch_size)
        if not rows:
            return
        closings = await work_batch(p, account, rows)
        await close_rows(p.db, closings)
        report.batches += 1
        report.rows += len(rows)
        for closing in closings:
            report.outcomes[closing.status.value] = report.outcomes.get(closing.status.value, 0) + 1


async def _follow_up(p: Pipeline, account_id: int) -> None:
    due = await next_due(p.db, account_id)
    if due is not None:
        wait = (due - utcnow()).total_seconds()
        await follow_up_drain(p.redis, account_id, defer=wait if wait > 0 else None)


async def work_batch(p: Pipeline, account: MlAccount | None, rows: list[InboxRow]) -> list[Closing]:
    if account is None or account.id is None or account.status != AccountStatus.ACTIVE.value:
        return _unworkable(account, rows)
    if await hand_to_catchup(p, account.id, rows):
        return []
    target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
    groups = groups_of(rows, p.rules.attempt_budget)
    works = await work_groups(p, target, groups)
    # Only a notified order ML refuses is a sign of forgery: a shipment, payment or claim ML does not show yet is
    # tried again later (batch.py), and a related document it refuses leaves a gap.
    orders = [group for group in groups if group.kind in (Kind.ORDER, Kind.MARKETPLACE_ORDER)]
    await note_refusals(p, account.id, [group.worst_error for group in orders])
    _observe(p, works)
    return [closing for group in groups for closing in closings_of(p, group)]


def _unworkable(account: MlAccount | None, rows: list[InboxRow]) -> list[Closing]:
    if account is not None and account.status == AccountStatus.NEEDS_REAUTH.value:
        return [_close(row, InboxStatus.PARKED, "seller is needs_reauth") for row in rows]
    reason = f"seller is {account.status if account is not None else 'gone'}"
    return [_close(row, InboxStatus.IGNORED, reason) for row in rows]


def _close(row: InboxRow, status: InboxStatus, reason: str | None, failed: int = 0) -> Closing:
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


def _retry(p: Pipeline, group: Group, row: InboxRow, error: MeliError) -> Closing:
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
