"""Orders whose last sync lacked a document are synced again later, until the document arrives.

A sync that could not read a shipment, payment or claims page (404, 403, unreachable, unreadable) or that found
a refund still in process stores what it could and records a gap (worker/store/refetch.py). The sweeper queues
a `refetch_order` job for every gap that is due; the job syncs the order through the one fetch-and-map path
(so the missing document's events land with their own source times) and resolves the gap, or pushes the next
attempt out: `first_pause`, then 4 times longer each time, at most `longest`, for `max_attempts` attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.errors import AuthError, InvalidRecord, NotOwned, PermanentError, RemoteNotFound, TransientError
from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from worker import redis_keys
from worker.jobs.deps import JobDeps, job_deps
from worker.jobs.locks import held_lock
from worker.jobs.names import REFETCH_ORDER
from worker.jobs.sync import SyncTarget, sync_order
from worker.logs import get_logger
from worker.store.accounts import get_account
from worker.store.models import AccountStatus
from worker.store.refetch import Gap, due_gaps, get_gap, reschedule_gap, resolve_gap

log = get_logger(__name__)
LOCK_SECONDS = 15


@dataclass(frozen=True)
class RefetchPolicy:
    first_pause: float = 60.0
    factor: float = 4.0
    longest: float = 6 * 3600.0
    max_attempts: int = 8

    def pause(self, attempt: int) -> float:
        return min(self.longest, self.first_pause * self.factor ** max(0, attempt - 1))


def policy_of(deps: JobDeps) -> RefetchPolicy:
    settings = deps.app.settings
    return RefetchPolicy(first_pause=settings.refetch_first_pause_seconds, max_attempts=settings.refetch_max_attempts)


async def refetch_order(ctx: dict[str, Any], gap_id: int) -> str:
    deps = job_deps(ctx)
    found = await get_gap(deps.app.db, gap_id)
    if found is None or found[1] is not None:
        return "resolved"
    gap = found[0]
    account = await get_account(deps.app.db, gap.account_id)
    if account is None or account.id is None or account.status != AccountStatus.ACTIVE.value:
        return "waiting"  # parked with its seller; due again once the seller is back
    key = redis_keys.resource_lock(deps.app.settings.queue_name, account.id, "order", gap.order_ref)
    async with held_lock(deps.app.redis, key, LOCK_SECONDS) as lock:
        if lock is None:
            return "busy"  # a notification job syncs this order right now; the next sweep tries again
        target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
        return await _refetch(deps, gap, target)


async def _refetch(deps: JobDeps, gap: Gap, target: SyncTarget) -> str:
    try:
        report = await sync_order(deps.app.db, deps.client, target, gap.order_ref, deps.options, Origin.RECONCILE)
    except AuthError:
        return "waiting"
    except TransientError:
        await reschedule_gap(deps.app.db, gap.id, policy_of(deps).pause)
        return "retry"
    except (RemoteNotFound, PermanentError, InvalidRecord, NotOwned) as exc:  # the order itself is gone or foreign
        log.warning("ml.refetch.order_failed", account_id=gap.account_id, order_id=gap.order_ref, error=str(exc))
        await resolve_gap(deps.app.db, gap.id)
        return "failed"
    if gap.order_ref in report.gaps:
        attempts = await reschedule_gap(deps.app.db, gap.id, policy_of(deps).pause)
        log.info("ml.refetch.still_missing", account_id=gap.account_id, order_id=gap.order_ref, attempts=attempts)
        return "missing"
    await resolve_gap(deps.app.db, gap.id)
    log.info("ml.refetch.resolved", account_id=gap.account_id, order_id=gap.order_ref, events_added=report.events_added)
    return "resolved"


async def sweep_refetches(ctx: dict[str, Any]) -> int:
    """Queue a job for every gap that is due (job ids name the attempt: one job per gap and attempt)."""
    deps = job_deps(ctx)
    queued = 0
    for gap in await due_gaps(deps.app.db, policy_of(deps).max_attempts):
        job_id = redis_keys.scoped(deps.app.settings.queue_name, "refetch", gap.id, gap.attempts)
        queued += await deps.app.redis.enqueue_job(REFETCH_ORDER, gap.id, _job_id=job_id) is not None
    return queued
