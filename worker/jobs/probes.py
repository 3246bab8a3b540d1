"""The worker's own small HTTP server: `GET /metrics` (Prometheus text) and `GET /healthz`.

/metrics also carries the work waiting for workers, for autoscaling: the arq queue (all jobs, and those whose
start time has come: `queue_depth` in worker/pipeline/queue.py), the pending inbox rows, and the
Hellotext delivery backlog per business (worker/delivery/gauges.py). They are read at scrape time, at most every
`GAUGE_SECONDS` however often scrapes come, so a scrape costs two Redis commands and two indexed reads now and
then. /healthz answers from the worker's event loop, so it fails when the
loop is stuck or the worker is restarting after losing Redis."""

from __future__ import annotations

import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Gauge
from redis.exceptions import RedisError

from worker.context import AppContext
from worker.delivery.gauges import refresh_delivery_gauges
from worker.errors import Unavailable
from worker.logs import get_logger
from worker.pipeline.queue import queue_depth
from worker.store.inbox import count_pending

log = get_logger(__name__)
GAUGE_SECONDS = 5.0


class QueueGauges:
    """How much work waits: arq jobs (all, and those whose start time has come) and pending inbox rows."""

    def __init__(self, app: AppContext) -> None:
        self.app, self.refreshed = app, -GAUGE_SECONDS
        queue, registry = app.redis.default_queue_name, app.metrics.registry
        self.queued = Gauge("meli_queue_jobs", "Jobs in the arq queue, deferred ones included (ZCARD)",
                            ["queue"], registry=registry).labels(queue)  # fmt: skip
        self.ready = Gauge("meli_queue_ready_jobs", "Jobs in the arq queue whose start time has come",
                           ["queue"], registry=registry).labels(queue)  # fmt: skip
        self.pending = Gauge("meli_inbox_pending_rows", "Pending inbox rows (notifications not yet worked)",
                             registry=registry)  # fmt: skip

    async def refresh(self) -> None:
        """Read the depths unless they were read less than `GAUGE_SECONDS` ago; on an error keep the last values."""
        if time.monotonic() - self.refreshed < GAUGE_SECONDS:
            return
        self.refreshed = time.monotonic()
        try:
            queued, ready = await queue_depth(self.app.redis)
            self.queued.set(queued)
            self.ready.set(ready)
            self.pending.set(await count_pending(self.app.db))
            await refresh_delivery_gauges(self.app.db, self.app.metrics)
        except (RedisError, OSError, Unavailable) as exc:
            log.warning("worker.metrics.stale", error=type(exc).__name__)


def probe_app(app: AppContext) -> web.Application:
    gauges = QueueGauges(app)

    async def metrics(_request: web.Request) -> web.Response:
        await gauges.refresh()
        return web.Response(body=app.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    server = web.Application()
    server.router.add_get("/metrics", metrics)
    server.router.add_get("/healthz", healthz)
    return server


async def serve_probes(app: AppContext, host: str, port: int) -> web.AppRunner | None:
    """Listen on MELI_WORKER_METRICS_HOST:PORT. Another worker on this host may hold the port: then this one
    runs without, and says so."""
    runner = web.AppRunner(probe_app(app), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        log.warning("worker.metrics.unavailable", port=port, error=exc.strerror)
        return None
    return runner
