"""One page of bulk work: search a window, then feed each order to the one fetch-and-map path.

The orders search already returns full order documents; when one has what the mapping reads, it is handed to
`sync_order` as known, so the order is not fetched again (shipments, payments and history are still fetched
exactly as the fetch plan asks). Orders of a page are synced concurrently, at most `concurrency` at a time.
An order ML refuses for good (404, another 4xx, a document we cannot read) is counted and skipped; an auth
or transient error stops the page after its other orders finish, so the caller parks or retries it whole.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from connectors.errors import AuthError, InvalidRecord, PermanentError, RemoteNotFound
from connectors.events import Origin
from connectors.mercadolibre.client import MlClient
from connectors.mercadolibre.mapping import MappingOptions
from worker.backfill.claims import ClaimsIndex
from worker.backfill.windows import Span, search_params
from worker.errors import NotOwned
from worker.logs import get_logger
from worker.pipeline.sync import Known, SyncReport, SyncTarget, sync_order
from worker.store.db import Database

log = get_logger(__name__)
COMPLETE_KEYS: Final = frozenset({"id", "status", "date_created", "buyer", "payments", "order_items"})


@dataclass(frozen=True)
class Page:
    total: int
    orders: list[Any]


@dataclass
class PageSync:
    orders: int = 0
    failed: int = 0
    new_events: Counter[str] = field(default_factory=Counter)
    order_ids: list[str] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(self.new_events.values())


@dataclass(frozen=True)
class Sink:
    """Where synced orders go and how: the store, the mapping options, the origin of new events."""

    db: Database
    options: MappingOptions
    origin: Origin
    historical_before: datetime | None
    concurrency: int


async def search_page(
    client: MlClient, target: SyncTarget, span: Span, field_name: str, offset: int, status: str | None
) -> Page:
    body = await client.search_orders(target.seller, search_params(span, field_name, offset, status))
    if not isinstance(body, dict):
        raise PermanentError("GET /orders/search: the answer is not a JSON object")
    results = body.get("results") or []
    total = (body.get("paging") or {}).get("total", len(results))
    return Page(int(total), [order for order in results if isinstance(order, dict) and order.get("id")])


def complete(document: Any) -> bool:
    """A search result holds what `GET /orders/{id}` would (ML's search returns full order documents)."""
    return isinstance(document, dict) and COMPLETE_KEYS <= document.keys()


async def sync_orders(
    sink: Sink, client: MlClient, target: SyncTarget, documents: list[Any], claims: ClaimsIndex | None
) -> PageSync:
    """Sync every order of a page (documents from a search, or {"id": ...} stubs to fetch)."""
    gate = asyncio.Semaphore(sink.concurrency)

    async def one(document: Any) -> SyncReport:
        order_id = str(document["id"])
        known = Known(
            order=document if complete(document) else None,
            claims=claims.for_order if claims is not None else None,
        )
        async with gate:
            return await sync_order(
                sink.db, client, target, order_id, sink.options, sink.origin,
                known=known, historical_before=sink.historical_before,
            )  # fmt: skip

    outcomes = await asyncio.gather(*(one(document) for document in documents), return_exceptions=True)
    return _tally(documents, outcomes, target)


def _tally(documents: list[Any], outcomes: list[SyncReport | BaseException], target: SyncTarget) -> PageSync:
    result = PageSync()
    stop: BaseException | None = None
    for document, outcome in zip(documents, outcomes, strict=True):
        if isinstance(outcome, SyncReport):
            result.orders += 1
            result.new_events.update(outcome.new_events)
            result.order_ids.append(str(document["id"]))
        elif isinstance(outcome, RemoteNotFound | PermanentError | InvalidRecord | NotOwned):
            result.failed += 1
            log.warning(
                "ml.backfill.order_skipped", account_id=target.seller.account_id, order_id=str(document["id"]),
                error=str(outcome),
            )  # fmt: skip
        elif isinstance(outcome, AuthError) or stop is None:
            stop = outcome  # an auth error wins: the whole backfill parks
    if stop is not None:
        raise stop
    return result
