"""Walking one backfill run: its windows in date order, each page by page, checkpoint after checkpoint.

Pages overlap so the request budget never idles between them: while the orders of page k finish syncing,
page k+1 is searched and its orders start. Checkpoints are still written in page order, each after all of its
page's orders are stored, so a stop at any point repeats at most the pages not yet checkpointed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from worker.backfill.claims import ClaimsIndex, load_claims
from worker.backfill.lane import Bulk
from worker.backfill.pages import Page, PageSync, Sink, search_page, sync_orders
from worker.backfill.windows import Span, fits, pieces
from worker.clock import utcnow
from worker.pipeline.sync import SyncTarget
from worker.store.backfills import PageCheckpoint, checkpoint_page, next_window, split_window
from worker.store.models import BackfillRun, BackfillWindow, MlAccount

CLAIMS_TTL_SECONDS = 600.0
CLAIMS_CACHED_RUNS = 8


@dataclass
class Launched:
    """A page whose orders are being synced; its checkpoint waits for them."""

    task: asyncio.Task[PageSync]
    total: int
    next_offset: int
    done: bool
    found: int


class RunWalker:
    """Walks one run's windows with one bulk-lane client, whose call counter feeds the run's `api_calls`."""

    def __init__(self, bulk: Bulk, account: MlAccount, run: BackfillRun, client: MlClient) -> None:
        assert account.id is not None and run.id is not None
        self.bulk, self.run, self.client = bulk, run, client
        self.run_id = run.id
        self.target = SyncTarget(Seller(account.id, account.seller_id), account.business_id)
        config = bulk.config
        self.sink = Sink(bulk.db, bulk.options, Origin.BACKFILL, run.historical_before, config.backfill_concurrency)
        self.cap = config.backfill_offset_cap
        self._recorded_calls = 0

    async def walk_until(self, deadline: float) -> bool:
        """True when the run has no window left."""
        claims = await self._claims()
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            window = await next_window(self.bulk.db, self.run_id)
            if window is None:
                return True
            await self.walk_window(window, claims, deadline)
        return False

    async def walk_window(self, window: BackfillWindow, claims: ClaimsIndex | None, deadline: float) -> None:
        """Pages of one window until it is done, split, or the deadline passes."""
        span, offset, loop = Span(window.starts_at, window.ends_at), window.next_offset, asyncio.get_running_loop()
        launched: deque[Launched] = deque()
        try:
            while True:
                page = await self._search(window, span, offset)
                found = page.total if offset == window.next_offset and window.total is None else 0
                found = found if window.parent_id is None else 0
                if offset == 0 and not fits(page.total, self.cap) and (parts := pieces(span, page.total, self.cap)):
                    bounds = [(part.start, part.end) for part in parts]
                    await split_window(self.bulk.db, window, bounds, page.total, found, self._new_calls())
                    return
                offset, done = self._advance(page, offset)
                sync = asyncio.create_task(sync_orders(self.sink, self.client, self.target, page.orders, claims))
                launched.append(Launched(sync, page.total, offset, done, found))
                stop = done or loop.time() >= deadline
                while len(launched) > 1 or (launched and stop):
                    await self._checkpoint(window, launched.popleft())
                if stop:
                    return
        finally:
            await _cancel(launched)

    def _advance(self, page: Page, offset: int) -> tuple[int, bool]:
        """The window's next offset after this page, and whether the window is then done."""
        next_offset = offset + len(page.orders)
        return next_offset, not page.orders or next_offset >= page.total or next_offset > self.cap

    async def _search(self, window: BackfillWindow, span: Span, offset: int) -> Page:
        return await search_page(self.client, self.target, span, "date_created", offset, window.status_filter)

    async def _checkpoint(self, window: BackfillWindow, page: Launched) -> None:
        synced = await page.task
        checkpoint = PageCheckpoint(
            page.total, page.next_offset, page.done, synced.orders, synced.failed, synced.events, self._new_calls(),
            page.found,
        )  # fmt: skip
        await checkpoint_page(self.bulk.db, window, checkpoint)
        if self.bulk.metrics is not None:
            for action, count in synced.new_events.items():
                self.bulk.metrics.events.labels(action, Origin.BACKFILL.value).inc(count)

    def _new_calls(self) -> int:
        calls, self._recorded_calls = self.client.calls - self._recorded_calls, self.client.calls
        return calls

    async def _claims(self) -> ClaimsIndex | None:
        cached = self.bulk.claims.get(self.run_id)
        if cached is not None and time.monotonic() - cached[0] < CLAIMS_TTL_SECONDS:
            return cached[1]
        index = await load_claims(self.client, self.target.seller, self.run.since, utcnow())
        if len(self.bulk.claims) >= CLAIMS_CACHED_RUNS:
            self.bulk.claims.pop(next(iter(self.bulk.claims)))
        self.bulk.claims[self.run_id] = (time.monotonic(), index)
        return index


async def _cancel(launched: deque[Launched]) -> None:
    """Stop the syncs of pages that will not be checkpointed now (an error or a cancel stopped the walk)."""
    for page in launched:
        page.task.cancel()
    await asyncio.gather(*(page.task for page in launched), return_exceptions=True)
