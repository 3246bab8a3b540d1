"""GET /metrics (internal: the internal port, or the internal token): Prometheus text format. Inbox and delivery
gauges are read from the database at most every `GAUGE_SECONDS`, however often it is scraped."""

from __future__ import annotations

import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from worker.delivery.gauges import refresh_delivery_gauges
from worker.errors import Unavailable
from worker.metrics import Metrics
from worker.store.db import Database
from worker.store.inbox import count_by_status, oldest_pending_age
from worker.store.models import InboxStatus
from worker.web.edge import internal_only
from worker.web.keys import CONTEXT, OPTIONS

GAUGE_SECONDS = 15.0


async def refresh_inbox_gauges(db: Database, metrics: Metrics) -> None:
    counts = await count_by_status(db)
    for status in InboxStatus:
        metrics.inbox_rows.labels(status.value).set(counts.get(status.value, 0))
    metrics.inbox_oldest.set(await oldest_pending_age(db))


def setup(app: web.Application) -> None:
    refreshed = [-GAUGE_SECONDS]  # when the gauges were last read (monotonic)

    async def metrics(request: web.Request) -> web.Response:
        context = request.app[CONTEXT]
        if time.monotonic() - refreshed[0] >= GAUGE_SECONDS:
            refreshed[0] = time.monotonic()
            try:
                await refresh_inbox_gauges(context.db, context.metrics)
                await refresh_delivery_gauges(context.db, context.metrics)
            except Unavailable:
                pass  # the counters are still worth serving; /healthz reports the database
        return web.Response(body=context.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", internal_only(app[OPTIONS].internal, metrics))
