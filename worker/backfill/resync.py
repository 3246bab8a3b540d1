"""The scheduled re-sync of one seller: every order updated in the lookback goes through the fetch-and-map
path again (origin `reconcile`), so a change whose notification was lost still becomes its events.

Orders come from the orders search on `date_last_updated` (windows split under the offset cap, as in the
backfill); orders whose claims changed without the order changing come from one claims search on
`last_updated`. Both run in the bulk lane. Nothing is stored: a re-sync that reaches its deadline returns
what is left (`todo`: spans with the offset to resume at), which the job passes to its continuation; the
next tick covers the same lookback again anyway.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.errors import InvalidRecord, PermanentError, RemoteNotFound
from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.mapping.fetch_plan import linked_order_ids
from connectors.mercadolibre.payloads import parse_payment
from worker.backfill.claims import ClaimsIndex, load_claims
from worker.backfill.lane import Bulk
from worker.backfill.pages import PageSync, Sink, search_page, sync_orders
from worker.backfill.windows import PAGE_SIZE, Span, fits, pieces, to_ms
from worker.pipeline.sync import SyncTarget
from worker.store.models import MlAccount
from worker.store.profiles import order_references_for_shipment

Todo = list[tuple[str, str, int]]  # [start, end, offset] of the spans still to walk, next one last


@dataclass
class ResyncReport:
    orders: int = 0
    failed: int = 0
    new_events: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    todo: Todo = field(default_factory=list)  # empty when the re-sync is complete

    def add(self, page: PageSync) -> None:
        self.orders += page.orders
        self.failed += page.failed
        self.new_events.update(page.new_events)


@dataclass
class Resync:
    bulk: Bulk
    client: MlClient
    target: SyncTarget
    sink: Sink
    claims: ClaimsIndex | None
    report: ResyncReport = field(default_factory=ResyncReport)

    async def walk(self, todo: Todo, deadline: float) -> Todo:
        """Every order of the spans (by `date_last_updated`), splitting dense ones; returns what is left."""
        cap, loop = self.bulk.config.backfill_offset_cap, asyncio.get_running_loop()
        while todo:
            if loop.time() >= deadline:
                return todo
            start, end, offset = todo.pop()
            span = Span(datetime.fromisoformat(start), datetime.fromisoformat(end))
            page = await search_page(self.client, self.target, span, "date_last_updated", offset, None)
            parts = pieces(span, page.total, cap) if offset == 0 and not fits(page.total, cap) else []
            if parts:
                todo.extend((part.start.isoformat(), part.end.isoformat(), 0) for part in reversed(parts))
                continue
            self.report.add(await sync_orders(self.sink, self.client, self.target, page.orders, self.claims))
            offset += len(page.orders)
            if page.orders and offset < page.total and offset <= cap:
                todo.append((start, end, offset))
        return todo

    async def claimed_orders(self) -> None:
        """Orders with a claim updated in the lookback whose order did not change (so no search lists them):
        claims on an order, on a shipment (its orders, as stored) or on a payment (the order it names).
        Orders the search did list are synced again: cheap next to a lost `refund.requested`."""
        pending = [{"id": order_id} for order_id in await self._claimed_order_ids()]
        for start in range(0, len(pending), PAGE_SIZE):
            chunk = pending[start : start + PAGE_SIZE]
            self.report.add(await sync_orders(self.sink, self.client, self.target, chunk, self.claims))

    async def _claimed_order_ids(self) -> list[str]:
        if self.claims is None:
            return []
        found = set(self.claims.resources("order"))
        for shipment_id in self.claims.resources("shipment"):
            found.update(await order_references_for_shipment(self.bulk.db, self.target.business_id, shipment_id))
        for payment_id in self.claims.resources("payment"):
            try:
                found.update(linked_order_ids(parse_payment(await self.client.payment(self.target.seller, payment_id))))
            except (RemoteNotFound, PermanentError, InvalidRecord):  # the next re-sync tries again
                continue
        return sorted(found)


def lookback(bulk: Bulk, now: datetime) -> Todo:
    since = to_ms(now - timedelta(hours=bulk.config.reconcile_lookback_hours))
    return [(since.isoformat(), to_ms(now).isoformat(), 0)]


async def resync_account(bulk: Bulk, account: MlAccount, todo: Todo, deadline: float) -> ResyncReport:
    """Re-sync the orders of `account` in `todo` (from `lookback`) until `deadline` (event-loop time)."""
    assert account.id is not None
    client = bulk.client()
    target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
    sink = Sink(bulk.db, bulk.options, Origin.RECONCILE, account.connected_at, bulk.config.backfill_concurrency)
    first, last = datetime.fromisoformat(min(t[0] for t in todo)), datetime.fromisoformat(max(t[1] for t in todo))
    claims = await load_claims(client, target.seller, first, last, "last_updated")
    resync = Resync(bulk, client, target, sink, claims)
    resync.report.todo = await resync.walk(list(todo), deadline)
    if not resync.report.todo:
        await resync.claimed_orders()
    resync.report.calls = client.calls
    if bulk.metrics is not None:
        for action, count in resync.report.new_events.items():
            bulk.metrics.events.labels(action, Origin.RECONCILE.value).inc(count)
    return resync.report
