"""Orders whose last sync lacked a document are synced again later, until the document arrives.

A sync that could not read a shipment, payment or claims page (404, 403, unreachable, unreadable) or that found
a refund still in process stores what it could and records a gap (worker/store/refetch.py). `refetch` syncs the
order through the one fetch-and-map path (so the missing document's events land with their own source times)
and resolves the gap, or pushes the next attempt out: `first_pause`, then 4 times longer each time, at most
`longest`, for `max_attempts` attempts. The sweeper (worker/jobs/sweeper.py) queues the due ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.errors import MeliError
from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from worker.logs import get_logger
from worker.pipeline.parts import Pipeline
from worker.pipeline.reactions import Reaction, reaction_to
from worker.pipeline.sync import SyncTarget, sync_order
from worker.store.accounts import get_account
from worker.store.models import AccountStatus
from worker.store.refetch import Gap, get_gap, reschedule_gap, resolve_gap

log = get_logger(__name__)


@dataclass(frozen=True)
class RefetchPolicy:
    first_pause: float = 60.0
    factor: float = 4.0
    longest: float = 6 * 3600.0
    max_attempts: int = 8

    def pause(self, attempt: int) -> float:
        return min(self.longest, self.first_pause * self.factor ** max(0, attempt - 1))


def policy_of(p: Pipeline) -> RefetchPolicy:
    return RefetchPolicy(first_pause=p.rules.refetch_first_pause, max_attempts=p.rules.refetch_max_attempts)


class RefetchOutcome(StrEnum):
    RESOLVED = "resolved"  # the order is complete now (or the gap was already closed)
    MISSING = "missing"  # a document is still missing: due again later
    RETRY = "retry"  # a transient error: due again later
    FAILED = "failed"  # the order is gone or not this seller's: the gap is closed
    WAITING = "waiting"  # parked with its seller: due again once the seller is back


async def refetch(p: Pipeline, gap_id: int) -> RefetchOutcome:
    """Sync the gap's order again and tell how it went."""
    found = await get_gap(p.db, gap_id)
    if found is None or found[1] is not None:
        return RefetchOutcome.RESOLVED
    gap = found[0]
    account = await get_account(p.db, gap.account_id)
    if account is None or account.id is None or account.status != AccountStatus.ACTIVE.value:
        return RefetchOutcome.WAITING  # parked with its seller; due again once the seller is back
    target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
    try:
        report = await sync_order(p.db, p.client, target, gap.order_ref, p.options, Origin.RECONCILE)
    except MeliError as error:
        return await _react(p, gap, error)
    if gap.order_ref in report.gaps:
        attempts = await reschedule_gap(p.db, gap.id, policy_of(p).pause)
        log.info("ml.refetch.still_missing", account_id=gap.account_id, order_id=gap.order_ref, attempts=attempts)
        return RefetchOutcome.MISSING
    await resolve_gap(p.db, gap.id)
    log.info("ml.refetch.resolved", account_id=gap.account_id, order_id=gap.order_ref, events_added=report.events_added)
    return RefetchOutcome.RESOLVED


async def _react(p: Pipeline, gap: Gap, error: MeliError) -> RefetchOutcome:
    reaction = reaction_to(error)
    if reaction is Reaction.STOP:
        raise error
    if reaction is Reaction.PARK:
        return RefetchOutcome.WAITING
    if reaction is Reaction.RETRY:
        await reschedule_gap(p.db, gap.id, policy_of(p).pause)
        return RefetchOutcome.RETRY
    # The order itself is gone or not this seller's: nothing left to wait for.
    log.warning("ml.refetch.order_failed", account_id=gap.account_id, order_id=gap.order_ref, error=str(error))
    await resolve_gap(p.db, gap.id)
    return RefetchOutcome.FAILED
