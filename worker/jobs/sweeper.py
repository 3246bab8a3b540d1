"""The inbox sweeper (cron): queue again what Redis lost, and what waited for a seller to reconnect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from worker.jobs.deps import job_deps
from worker.jobs.names import enqueue_notification
from worker.logs import get_logger
from worker.store.inbox import rows_to_requeue

log = get_logger(__name__)


async def sweep_inbox(ctx: dict[str, Any]) -> int:
    deps = job_deps(ctx)
    older_than = timedelta(seconds=deps.app.settings.inbox_requeue_seconds)
    queued = 0
    for row_id, attempts in await rows_to_requeue(deps.app.db, older_than):
        queued += await enqueue_notification(deps.app.redis, row_id, attempts)
    if queued:
        log.info("ml.inbox.requeued", count=queued)
    return queued
