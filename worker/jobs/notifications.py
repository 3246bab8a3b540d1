"""`process_notification`: the job behind every inbox row.

One job per row, coalesced by resource: under a per-resource Redis lock, the first job fetches and maps, then
closes every pending row of that resource recorded before its fetch began; the jobs of those rows find their
row closed and return at once. A change notified while a fetch runs has a higher id, stays pending, and gets
its own fetch. Jobs may run more than once; the store's insert-or-ignore makes that harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from arq import Retry

from connectors.errors import (
    AuthError,
    InvalidRecord,
    MeliError,
    NotOwned,
    PermanentError,
    RemoteNotFound,
    TransientError,
    Unavailable,
)
from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from connectors.mercadolibre.constants import Kind
from worker import redis_keys
from worker.jobs.deps import JobDeps, job_deps
from worker.jobs.guards import attempt_budget, hand_to_catchup, note_refusal, refused_by_ml
from worker.jobs.locks import held_lock
from worker.jobs.names import enqueue_notification
from worker.jobs.sync import SyncReport, SyncTarget, orders_for, sync_order
from worker.logs import get_logger
from worker.store.inbox import finish_resource, get_row, load_work, newest_open_row, set_row_status
from worker.store.models import InboxRow, InboxStatus, utcnow

log = get_logger(__name__)
OPEN = (InboxStatus.PENDING.value, InboxStatus.PARKED.value)
MAX_TRIES = 8
LOCK_SECONDS = 15  # renewed while the job runs: a killed worker's resources free within this


async def process_notification(ctx: dict[str, Any], inbox_id: int) -> str:
    try:
        return await _process(ctx, inbox_id)
    except Unavailable as exc:  # database or Redis away: the row stays pending; try again soon
        job_try = int(ctx.get("job_try", 1))
        log.warning("ml.job.unavailable", inbox_id=inbox_id, error=str(exc), job_try=job_try)
        raise Retry(defer=min(60, 2**job_try)) from None


async def _process(ctx: dict[str, Any], inbox_id: int) -> str:
    deps = job_deps(ctx)
    row = await get_row(deps.app.db, inbox_id)
    if row is None or row.status not in OPEN:
        return "already closed"
    if row.account_id is None or row.kind is None or row.resource_id is None:
        await set_row_status(deps.app.db, inbox_id, InboxStatus.IGNORED, "nothing to fetch")
        return "ignored"
    key = redis_keys.resource_lock(deps.app.settings.queue_name, row.account_id, row.kind, row.resource_id)
    held = False
    try:
        async with held_lock(deps.app.redis, key, LOCK_SECONDS) as lock:
            held = lock is not None
            if not held:
                return "busy"  # the holder queues a follow-up for rows that arrive while it works; no slot waits
            return await _timed(deps, inbox_id, int(ctx.get("job_try", 1)))
    finally:
        if held:  # after the lock is released, whatever the outcome
            await _follow_up(deps, row)


async def _timed(deps: JobDeps, inbox_id: int, job_try: int) -> str:
    started = time.perf_counter()
    outcome = "error"
    try:
        outcome = await _process_locked(deps, inbox_id, job_try)
        return outcome
    except Retry:
        outcome = "retry"
        raise
    finally:
        deps.app.metrics.jobs.labels("process_notification", outcome).observe(time.perf_counter() - started)


async def _follow_up(deps: JobDeps, row: InboxRow) -> None:
    """Queue the newest row of the resource that is still open: a job that found the lock busy left it to us.
    Runs after the lock is released, so either that job got the lock itself or its row is visible here."""
    assert row.account_id is not None and row.kind is not None and row.resource_id is not None
    newest = await newest_open_row(deps.app.db, row.account_id, row.kind, row.resource_id)
    if newest is not None and newest != row.id:
        await enqueue_notification(deps.app.redis, newest, tag=f"after{row.id}")


async def _process_locked(deps: JobDeps, inbox_id: int, job_try: int) -> str:
    work = await load_work(deps.app.db, inbox_id)
    if work is None or work.row.status not in OPEN:
        return "covered"
    row, up_to, account = work.row, work.up_to, work.account
    assert row.account_id is not None and row.kind is not None and row.resource_id is not None
    if account is None or account.status != "active":
        status = InboxStatus.PARKED if account is not None and account.status == "needs_reauth" else InboxStatus.IGNORED
        await _finish(deps, row, up_to, status, f"seller is {account.status if account else 'gone'}")
        return status.value
    if await hand_to_catchup(deps, row, up_to):
        return "throttled"
    target = SyncTarget(Seller(row.account_id, account.seller_id), account.business_id)
    origin = Origin.MISSED_FEED if row.origin == Origin.MISSED_FEED.value else Origin.LIVE
    async with attempt_budget(deps, row) as budget:
        try:
            if budget.remaining <= 0:
                raise TransientError("its attempt budget is spent")
            report = await _sync_resource(deps, target, Kind(row.kind), row.resource_id, origin)
        except (AuthError, TransientError, RemoteNotFound, PermanentError, InvalidRecord, NotOwned) as exc:
            return await _react(deps, Failure(row, up_to, job_try, budget.remaining, budget.spent), exc)
    if report.foreign:
        deps.app.metrics.foreign_documents.labels("related").inc(report.foreign)
    reason = "; ".join(report.problems)[:500] or None
    await _finish(deps, row, up_to, InboxStatus.DONE, reason)
    _observe_events(deps, row, report, origin)
    log.info("ml.job.done", inbox_id=inbox_id, orders=report.orders, events_added=report.events_added)
    return "done"


@dataclass(frozen=True)
class Failure:
    row: InboxRow
    up_to: int
    job_try: int
    budget_left: int
    budget_spent: int


async def _react(deps: JobDeps, failure: Failure, exc: MeliError) -> str:
    """The one place a failed sync of an inbox row decides: park, retry later, fail, or ignore."""
    row, up_to, job_try = failure.row, failure.up_to, failure.job_try
    if isinstance(exc, AuthError):
        await _finish(deps, row, up_to, InboxStatus.PARKED, str(exc))
        return "parked"
    if isinstance(exc, TransientError):
        if job_try < MAX_TRIES and failure.budget_left > 0:
            raise Retry(defer=min(60, 2**job_try)) from None
        spent = row.ml_failures + failure.budget_spent
        reason = f"gave up after {job_try} tries, {spent} failed calls: {exc}"
        await _finish(deps, row, up_to, InboxStatus.FAILED, reason)
        return "failed"
    if isinstance(exc, NotOwned):  # a forged or mistaken notification: nothing of another seller is imported
        deps.app.metrics.foreign_documents.labels("order").inc()
        await _finish(deps, row, up_to, InboxStatus.IGNORED, str(exc))
        return "ignored"
    if isinstance(exc, RemoteNotFound | PermanentError) and refused_by_ml(exc):
        assert row.account_id is not None
        await note_refusal(deps, row.account_id)
    await _finish(deps, row, up_to, InboxStatus.FAILED, str(exc))
    return "failed"


async def _sync_resource(deps: JobDeps, target: SyncTarget, kind: Kind, resource_id: str, origin: Origin) -> SyncReport:
    report = SyncReport()
    try:
        resolved = await orders_for(deps.app.db, deps.client, target, kind, resource_id)
    except (RemoteNotFound, PermanentError) as exc:
        if kind is Kind.ORDER:
            raise
        # A notified shipment, payment or claim that cannot be read yet (ML answers 404/403 for a while after
        # some changes): try again later like a server error, and fail only when it stays unreadable.
        raise TransientError(f"{exc}; the notified {kind} is not readable yet") from None
    known = resolved.known()
    for order_id in resolved.order_ids:
        report.add(await sync_order(deps.app.db, deps.client, target, order_id, deps.options, origin, known=known))
    return report


def _observe_events(deps: JobDeps, row: InboxRow, report: SyncReport, origin: Origin) -> None:
    lag = (utcnow() - row.received_at).total_seconds()
    for action, count in report.new_events.items():
        deps.app.metrics.events.labels(action, origin.value).inc(count)
        for _ in range(count):
            deps.app.metrics.lag.observe(lag)


async def _finish(deps: JobDeps, row: InboxRow, up_to: int, status: InboxStatus, reason: str | None) -> None:
    assert row.account_id is not None and row.kind is not None and row.resource_id is not None
    closed = await finish_resource(deps.app.db, row.account_id, row.kind, row.resource_id, up_to, status, reason)
    log.info(
        "ml.job.finished", inbox_id=row.id, account_id=row.account_id, resource=row.resource, status=status.value,
        rows_closed=closed, reason=reason,
    )  # fmt: skip
