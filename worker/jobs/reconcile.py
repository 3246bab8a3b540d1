"""Reconciliation jobs: the scheduled re-sync of every active seller, and the missed-feeds reader.

`schedule_reconcile` (cron, unique) queues one `reconcile_account` job per active seller, named after the
seller and the tick so a tick queues each seller once. `reconcile_account` takes a bulk slot (or retries
shortly) and re-syncs the seller's lookback for at most `SLICE_SECONDS`; what is left goes to its
continuation (jobs stay short, like every job of the worker). `read_missed_feeds` (cron, unique) reads ML's
`/missed_feeds` into the notification inbox.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from arq import Retry

from connectors.errors import AuthError, RemoteError, TransientError
from worker import redis_keys
from worker.backfill.lane import bulk_slot
from worker.backfill.missed import recover_missed
from worker.backfill.resync import ResyncReport, Todo, lookback, resync_account
from worker.clock import utcnow
from worker.jobs.deps import job_deps
from worker.jobs.outcomes import JobOutcome
from worker.logs import get_logger
from worker.store.accounts import get_account
from worker.store.backfills import active_accounts
from worker.store.models import AccountStatus

log = get_logger(__name__)
RECONCILE_ACCOUNT = "reconcile_account"
RECONCILE_TRIES = 1_000  # waiting for a bulk slot is a `Retry`; transient failures give up after a few
SLICE_SECONDS = 120.0


async def schedule_reconcile(ctx: dict[str, Any]) -> int:
    bulk = job_deps(ctx).bulk
    tick = int(time.time() // 60)
    queued = 0
    for account in await active_accounts(bulk.db):
        assert account.id is not None
        job_id = redis_keys.reconcile_job(bulk.config.queue_name, account.id, tick)
        queued += await bulk.redis.enqueue_job(RECONCILE_ACCOUNT, account.id, _job_id=job_id) is not None
    log.info("ml.reconcile.scheduled", accounts=queued)
    return queued


async def reconcile_account(ctx: dict[str, Any], account_id: int, todo: Todo | None = None) -> str:
    bulk = job_deps(ctx).bulk
    async with bulk_slot(bulk) as slot:
        if slot is None:
            raise Retry(defer=2 + random.random() * 3)
        account = await get_account(bulk.db, account_id)
        if account is None or account.status != AccountStatus.ACTIVE.value:
            return JobOutcome.SKIPPED
        deadline = asyncio.get_running_loop().time() + SLICE_SECONDS
        try:
            report = await resync_account(bulk, account, todo or lookback(bulk, utcnow()), deadline)
        except AuthError:
            return JobOutcome.PARKED  # the token provider marked the seller; the next tick skips it until it reconnects
        except TransientError as error:
            if int(ctx.get("job_try", 1)) < 5:
                raise Retry(defer=30 * int(ctx.get("job_try", 1))) from None
            log.warning("ml.reconcile.gave_up", account_id=account_id, error=str(error))
            return JobOutcome.FAILED
    if report.todo:
        await bulk.redis.enqueue_job(RECONCILE_ACCOUNT, account_id, report.todo)
    _log(account_id, report)
    return f"orders={report.orders} events={sum(report.new_events.values())}"


def _log(account_id: int, report: ResyncReport) -> None:
    events = sum(report.new_events.values())
    log.info(
        "ml.reconcile.done", account_id=account_id, orders=report.orders, failed=report.failed, events_added=events,
        api_calls=report.calls, complete=not report.todo,
    )  # fmt: skip
    if events:  # a re-sync that keeps finding what the webhooks missed is an alarm, not a secret
        log.warning("ml.reconcile.found_missed_events", account_id=account_id, events_added=events)


async def read_missed_feeds(ctx: dict[str, Any]) -> int:
    bulk = job_deps(ctx).bulk
    try:
        report = await recover_missed(bulk.db, bulk.redis, bulk.client(), bulk.config.ml_client_id)
    except RemoteError as error:
        log.warning("ml.missed_feeds.failed", error=str(error))
        return 0
    return report.recorded
