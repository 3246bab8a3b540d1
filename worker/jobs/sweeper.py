"""The inbox's crons. The sweeper queues again what Redis lost, what a killed worker left, and what waited
for a seller to reconnect; the pruner keeps the inbox to `inbox_retention_days` of finished rows.

For each row still pending after `inbox_requeue_seconds` it looks at the row's job in Redis: no job (Redis
lost it, or it ran and left the row to a follow-up that never came) → queue it again; a job still waiting in
the queue → leave it; a job marked in progress → queue a fresh job under a new id, because arq keeps a killed
worker's job marked in progress for minutes and refuses its id meanwhile (if the job is in fact running, the
fresh one finds the resource busy and returns at once). Sellers with throttled rows that long get their
catch-up queued again (a lost catch-up job, or one that gave up while ML was down).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix

from worker.jobs.deps import job_deps
from worker.jobs.names import enqueue_catchup, enqueue_notification, notification_job_id
from worker.logs import get_logger
from worker.store.inbox import prune_inbox, rows_to_requeue
from worker.store.throttled import accounts_with_throttled

log = get_logger(__name__)


async def sweep_inbox(ctx: dict[str, Any]) -> int:
    deps = job_deps(ctx)
    older_than = timedelta(seconds=deps.app.settings.inbox_requeue_seconds)
    rows = await rows_to_requeue(deps.app.db, older_than)
    states = await _job_states(deps.app.redis, rows)
    tag = f"sweep{int(time.time())}"
    queued = 0
    for (row_id, attempts), (exists, running) in zip(rows, states, strict=True):
        if not exists:
            queued += await enqueue_notification(deps.app.redis, row_id, attempts)
        elif running:
            queued += await enqueue_notification(deps.app.redis, row_id, attempts, tag=tag)
    for account_id in await accounts_with_throttled(deps.app.db, older_than):
        queued += await enqueue_catchup(deps.app.redis, account_id, deps.app.settings.catchup_interval_seconds)
    if queued:
        log.info("ml.inbox.requeued", count=queued, stale=len(rows))
    return queued


PRUNE_BATCH = 5000
PRUNE_BATCHES = 40  # at most 200,000 rows an hour, in short transactions


async def prune_inbox_rows(ctx: dict[str, Any]) -> int:
    """Delete finished rows past the retention, a batch at a time so no transaction holds the table long."""
    deps = job_deps(ctx)
    older_than = timedelta(days=deps.app.settings.inbox_retention_days)
    deleted = 0
    for _ in range(PRUNE_BATCHES):
        count = await prune_inbox(deps.app.db, older_than, PRUNE_BATCH)
        deleted += count
        if count < PRUNE_BATCH:
            break
    if deleted:
        log.info("ml.inbox.pruned", count=deleted, retention_days=deps.app.settings.inbox_retention_days)
    return deleted


async def _job_states(redis: ArqRedis, rows: list[tuple[int, int]]) -> list[tuple[bool, bool]]:
    """(job exists, job in progress) for each row's job, in one round trip."""
    if not rows:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for row_id, attempts in rows:
            job_id = notification_job_id(redis.default_queue_name, row_id, attempts)
            pipe.exists(job_key_prefix + job_id)
            pipe.exists(in_progress_key_prefix + job_id)
        found = await pipe.execute()
    return [(bool(found[i]), bool(found[i + 1])) for i in range(0, len(found), 2)]
