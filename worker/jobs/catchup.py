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

A busy job is joined, not doubled (a lock per seller); rows that remain or arrive meanwhile get a follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from arq import Retry

from connectors.errors import AuthError, RemoteError, TransientError
from connectors.events import Origin
from connectors.mercadolibre.client import Seller
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.payloads import parse_order
from worker import redis_keys
from worker.backfill.claims import load_claims
from worker.backfill.pages import Sink, search_page, sync_orders
from worker.backfill.windows import PAGE_SIZE, Span, to_ms
from worker.jobs.deps import JobDeps, job_deps
from worker.jobs.guards import note_refusal, suspected
from worker.jobs.locks import held_lock
from worker.jobs.names import catchup_slot, enqueue_catchup, enqueue_notification
from worker.jobs.sync import SyncTarget
from worker.logs import get_logger
from worker.store.accounts import get_account
from worker.store.models import AccountStatus, utcnow
from worker.store.throttled import (
    ThrottledSpan,
    close_listed,
    ignore_throttled,
    newest_throttled,
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


async def catch_up_seller(ctx: dict[str, Any], account_id: int) -> str:
    deps = job_deps(ctx)
    key = redis_keys.scoped(deps.app.settings.queue_name, "lock", "catchup", account_id)
    async with held_lock(deps.app.redis, key, LOCK_SECONDS) as lock:
        if lock is None:
            return "busy"  # the holder queues a follow-up for rows that arrive while it works
        try:
            outcome = await _catch_up(deps, account_id)
        except TransientError:
            job_try = int(ctx.get("job_try", 1))
            if job_try < 5:
                raise Retry(defer=min(60, 2**job_try)) from None
            outcome = "failed"  # rows stay throttled; the sweeper queues the catch-up again
        except AuthError:
            outcome = "parked"  # rows stay throttled until the seller reconnects
        except RemoteError as error:  # ML refuses the search itself: the sweeper tries again in a minute
            log.warning("ml.catchup.failed", account_id=account_id, error=str(error))
            outcome = "failed"
    if outcome == "done" and await newest_throttled(deps.app.db, account_id) is not None:
        interval = deps.app.settings.catchup_interval_seconds
        await enqueue_catchup(deps.app.redis, account_id, interval, catchup_slot(interval) + 1)
    return outcome


async def _catch_up(deps: JobDeps, account_id: int) -> str:
    account = await get_account(deps.app.db, account_id)
    if account is None or account.status != AccountStatus.ACTIVE.value:
        return "skipped"
    span = await throttled_span(deps.app.db, account_id)
    if span is None:
        return "nothing"
    target = SyncTarget(Seller(account_id, account.seller_id), account.business_id)
    window = Span(to_ms(span.oldest - MARGIN), to_ms(utcnow() + AHEAD))
    listed = await _list_orders(deps, target, window)
    synced = await _sync(deps, target, window, span, listed)
    done = await close_listed(deps.app.db, account_id, span.up_to, listed.ids)
    ignored, released = await _the_rest(deps, account_id, span.up_to, window)
    log.info(
        "ml.catchup.done", account_id=account_id, listed=len(listed.ids), synced=synced, rows_done=done,
        rows_ignored=ignored, rows_released=released, complete=listed.complete,
    )  # fmt: skip
    return "done"


async def _the_rest(deps: JobDeps, account_id: int, up_to: int, window: Span) -> tuple[int, int]:
    """(ignored, released): the rows the search did not cover, by the seller's standing."""
    if await suspected(deps, account_id):
        reason = f"{SUSPECTED_REST} {window.start.isoformat()}"
        ignored = await ignore_throttled(deps.app.db, account_id, up_to, reason)
        await note_refusal(deps, account_id, min(ignored, deps.app.settings.suspect_not_found_burst))
        return ignored, 0
    released = await release_throttled(deps.app.db, account_id, up_to, deps.app.settings.webhook_seller_burst)
    for row_id in released:
        await enqueue_notification(deps.app.redis, row_id, tag=f"catchup{up_to}")
    return 0, len(released)


async def _list_orders(deps: JobDeps, target: SyncTarget, window: Span) -> Listed:
    listed, offset = Listed(), 0
    for _ in range(MAX_PAGES):
        page = await search_page(deps.client, target, window, "date_last_updated", offset, None)
        listed.ids.update(str(order["id"]) for order in page.orders)
        listed.documents += await _changed(deps, target, page.orders)
        offset += len(page.orders)
        if len(page.orders) < PAGE_SIZE or offset >= page.total:
            return listed
    listed.complete = False
    return listed


async def _changed(deps: JobDeps, target: SyncTarget, documents: list[Any]) -> list[Any]:
    """The orders whose `date_last_updated` is newer than what we stored (or that we never stored)."""
    stored = await stored_versions(deps.app.db, target.business_id, [str(d["id"]) for d in documents])
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


async def _sync(deps: JobDeps, target: SyncTarget, window: Span, span: ThrottledSpan, listed: Listed) -> int:
    documents = list(listed.documents)
    claims = None
    if Kind.CLAIM.value in span.kinds:  # a claim can change without its order changing
        claims = await load_claims(deps.client, target.seller, window.start, window.end, "last_updated")
        chosen = {str(document["id"]) for document in documents}
        documents += [
            {"id": order_id} for order_id in (claims.resources("order") if claims else ()) if order_id not in chosen
        ]
    sink = Sink(deps.app.db, deps.options, Origin.LIVE, None, CONCURRENCY)
    return (await sync_orders(sink, deps.client, target, documents, claims)).orders
