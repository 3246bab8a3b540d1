"""`catch_up_seller`: the re-sync behind a seller's throttled notifications.

Notifications over the seller's intake budget, and those of a seller under suspicion of forged notifications,
get no fetch of their own. Instead this job, at most once per `MELI_CATCHUP_INTERVAL_SECONDS` per seller,
lists the seller's orders updated since shortly before the oldest throttled row (ML's orders search by
`date_last_updated`: one page unless the seller is busy), syncs those that changed since we stored them (the
order as the search returned it; its shipment, payments and claims as the fetch plan asks), and closes the
throttled rows that name a listed order. Claim rows add one claims search.

The other rows (an order nobody listed, a shipment, a payment, a claim) depend on the seller's standing. Under
suspicion they are closed as ignored: forged ids cost the search, not one GET each, and a genuine one the
search missed is recovered by the scheduled re-sync, which covers days. Otherwise the oldest of them, as many
as the intake burst, get their own fetch back (pending, with a job), and the rest wait for the next catch-up.

The job (worker/jobs/catchup.py) holds a lock per seller, so a busy catch-up is joined, not doubled, and queues a
follow-up for rows that remain or arrive meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from connectors.errors import RemoteNotFound
from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.payloads import parse_order
from worker.backfill.claims import load_claims
from worker.backfill.pages import Sink, search_page, sync_orders
from worker.backfill.windows import PAGE_SIZE, Span, to_ms
from worker.clock import utcnow
from worker.logs import get_logger
from worker.pipeline.guards import note_refusals, suspected
from worker.pipeline.parts import Pipeline
from worker.pipeline.queue import request_drains
from worker.pipeline.sync import SyncTarget
from worker.store.accounts import get_account
from worker.store.models import AccountStatus
from worker.store.throttled import (
    ThrottledSpan,
    close_listed,
    ignore_throttled,
    release_throttled,
    stored_versions,
    throttled_span,
)

log = get_logger(__name__)
MARGIN = timedelta(hours=2)  # ML notifies a change at once, or retries a failed delivery for up to an hour
AHEAD = timedelta(hours=1)  # no upper bound in effect: clocks differ, and ML has no orders from the future
MAX_PAGES = 10
LOCK_SECONDS = 15
CONCURRENCY = 4
SUSPECTED_REST = "seller under suspicion of forged notifications, and not among its orders updated since"


@dataclass
class Listed:
    """What the orders search listed: every order id, the documents of those that changed, and whether every
    page was read."""

    ids: set[str] = field(default_factory=set)
    documents: list[Any] = field(default_factory=list)
    complete: bool = True


class CatchUpOutcome(StrEnum):
    DONE = "done"  # re-synced and settled
    NOTHING = "nothing"  # no throttled row to cover
    SKIPPED = "skipped"  # the seller is not active


async def catch_up(p: Pipeline, account_id: int) -> CatchUpOutcome:
    """Re-sync the seller's recently updated orders and settle its throttled rows."""
    account = await get_account(p.db, account_id)
    if account is None or account.status != AccountStatus.ACTIVE.value:
        return CatchUpOutcome.SKIPPED
    span = await throttled_span(p.db, account_id)
    if span is None:
        return CatchUpOutcome.NOTHING
    target = SyncTarget(Seller(account_id, account.seller_id), account.business_id)
    window = Span(to_ms(span.oldest - MARGIN), to_ms(utcnow() + AHEAD))
    listed = await _list_orders(p, target, window)
    synced = await _sync(p, target, window, span, listed)
    done = await close_listed(p.db, account_id, span.up_to, listed.ids)
    ignored, released = await _the_rest(p, account_id, span.up_to, window)
    log.info(
        "ml.catchup.done", account_id=account_id, listed=len(listed.ids), synced=synced, rows_done=done,
        rows_ignored=ignored, rows_released=released, complete=listed.complete,
    )  # fmt: skip
    return CatchUpOutcome.DONE


async def _the_rest(p: Pipeline, account_id: int, up_to: int, window: Span) -> tuple[int, int]:
    """(ignored, released): the rows the search did not cover, by the seller's standing."""
    if await suspected(p, account_id):
        reason = f"{SUSPECTED_REST} {window.start.isoformat()}"
        ignored = await ignore_throttled(p.db, account_id, up_to, reason)
        await note_refusals(p, account_id, [RemoteNotFound("forged id")] * min(ignored, p.rules.suspect_burst))
        return ignored, 0
    released = await release_throttled(p.db, account_id, up_to, p.rules.release_per_catchup)
    if released:
        await request_drains(p.redis, [account_id])
    return 0, len(released)


async def _list_orders(p: Pipeline, target: SyncTarget, window: Span) -> Listed:
    listed, offset = Listed(), 0
    for _ in range(MAX_PAGES):
        page = await search_page(p.client, target, window, "date_last_updated", offset, None)
        listed.ids.update(str(order["id"]) for order in page.orders)
        listed.documents += await _changed(p, target, page.orders)
        offset += len(page.orders)
        if len(page.orders) < PAGE_SIZE or offset >= page.total:
            return listed
    listed.complete = False
    return listed


async def _changed(p: Pipeline, target: SyncTarget, documents: list[Any]) -> list[Any]:
    """The orders whose `date_last_updated` is newer than what we stored (or that we never stored)."""
    stored = await stored_versions(p.db, target.business_id, [str(d["id"]) for d in documents])
    changed = []
    for document in documents:
        known = stored.get(str(document["id"]))
        try:
            updated = parse_order(document).updated_at
        except ValueError:
            updated = None  # unreadable here: the sync path will say why
        if known is None or updated is None or updated > known:
            changed.append(document)
    return changed


async def _sync(p: Pipeline, target: SyncTarget, window: Span, span: ThrottledSpan, listed: Listed) -> int:
    documents = list(listed.documents)
    claims = None
    if Kind.CLAIM.value in span.kinds:  # a claim can change without its order changing
        claims = await load_claims(p.client, target.seller, window.start, window.end, "last_updated")
        chosen = {str(document["id"]) for document in documents}
        documents += [
            {"id": order_id} for order_id in (claims.resources("order") if claims else ()) if order_id not in chosen
        ]
    sink = Sink(p.db, p.options, Origin.LIVE, None, CONCURRENCY)
    return (await sync_orders(sink, p.client, target, documents, claims)).orders
