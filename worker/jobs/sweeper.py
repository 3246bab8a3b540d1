"""The inbox's crons. The sweeper asks again for what Redis lost, what a killed worker left, and what waited
for a seller to reconnect; the pruner keeps the inbox to `inbox_retention_days` of finished rows.

A seller whose due rows have waited `inbox_requeue_seconds` lost its drain (Redis flushed, a worker killed with
the job in hand): its drain is asked for again, which queues a job unless one is asked for already (a drain
flag lives `FLAG_SECONDS`, so a dead worker's flag frees itself). Sellers who reconnected get their parked rows
back as pending, and a drain. Sellers with throttled rows that long get their catch-up queued again (a lost
catch-up job, or one that gave up while ML was down). Nothing here reads arq's own keys.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from worker.jobs.deps import job_deps
from worker.logs import get_logger
from worker.pipeline.queue import enqueue_catchup, request_drains
from worker.store.inbox import prune_inbox
from worker.store.inbox_batch import resume_parked, sellers_waiting
from worker.store.throttled import accounts_with_throttled

log = get_logger(__name__)


async def sweep_inbox(ctx: dict[str, Any]) -> int:
    p = job_deps(ctx).pipeline
    older_than = timedelta(seconds=p.rules.waiting_after)
    waiting = await sellers_waiting(p.db, older_than)
    resumed = await resume_parked(p.db)
    queued = await request_drains(p.redis, [*waiting, *resumed])
    for account_id in await accounts_with_throttled(p.db, older_than):
        queued += await enqueue_catchup(p.redis, account_id, p.rules.catchup_interval)
    if queued:
        log.info("ml.inbox.requeued", count=queued, waiting=len(waiting), resumed=len(resumed))
    return queued


PRUNE_BATCH = 5000
PRUNE_BATCHES = 40  # at most 200,000 rows an hour, in short transactions


async def prune_inbox_rows(ctx: dict[str, Any]) -> int:
    """Delete finished rows past the retention, a batch at a time so no transaction holds the table long."""
    deps = job_deps(ctx)
    older_than = timedelta(days=deps.config.inbox_retention_days)
    deleted = 0
    for _ in range(PRUNE_BATCHES):
        count = await prune_inbox(deps.app.db, older_than, PRUNE_BATCH)
        deleted += count
        if count < PRUNE_BATCH:
            break
    if deleted:
        log.info("ml.inbox.pruned", count=deleted, retention_days=deps.config.inbox_retention_days)
    return deleted
