"""arq jobs of the backfill: `run_backfill` runs one slice and queues the next; `resume_backfills` (cron)
restarts what nobody works on.

A job is named after the run and slice it will work on (`backfill_job_id`). It first takes one of the bulk
slots (else it retries shortly), then the account's runner lock (else another runner is at work and this job
just returns: "joined"), then checks that its slice is still the next one (else a job that ran meanwhile took
it and queued the next: "superseded"). However often a backfill is requested, resumed or retried, one chain
of jobs works on it. A killed worker leaves a run `running` without heartbeat; the cron queues it again after
`STALE`, and runs parked on a revoked seller once the seller is active again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from arq import Retry, func
from arq.cron import CronJob
from arq.worker import Function

from worker.backfill.lane import Bulk, account_lock, bulk_slot
from worker.backfill.runner import Outcome, SliceResult, run_slice
from worker.backfill.service import RUN_BACKFILL, backfill_job_id, enqueue_backfill
from worker.jobs.deps import job_deps
from worker.jobs.outcomes import JobOutcome
from worker.jobs.reconcile import (
    RECONCILE_ACCOUNT,
    RECONCILE_TRIES,
    read_missed_feeds,
    reconcile_account,
    schedule_reconcile,
)
from worker.logs import get_logger
from worker.pipeline.queue import job_pending
from worker.store.accounts import get_account
from worker.store.backfills import RUNNABLE, accounts_to_resume, open_runs, park_account_runs, unpark_account_runs
from worker.store.models import AccountStatus, BackfillRun

log = get_logger(__name__)
STALE = timedelta(seconds=30)  # a live runner checkpoints every page; a false alarm only queues a job that joins
# (or one refused because the run's next slice is already queued)
MAX_TRIES = 10_000  # `Retry` while every bulk slot is busy counts as a try: never give up on that


async def run_backfill(ctx: dict[str, Any], account_id: int, run_id: int, slice_no: int) -> str:
    bulk = job_deps(ctx).bulk
    async with bulk_slot(bulk) as slot:
        if slot is None:
            raise Retry(defer=1 + random.random() * 2)
        async with account_lock(bulk, account_id) as lock:
            if lock is None:
                return JobOutcome.JOINED
            result = await _slice(bulk, account_id, (run_id, slice_no))
    if result is None:
        return JobOutcome.SUPERSEDED
    if result.outcome in (Outcome.MORE, Outcome.RETRY):
        await enqueue_backfill(bulk.db, bulk.redis, account_id, defer=result.defer or None)
    return result.outcome.value


async def _slice(bulk: Bulk, account_id: int, expected: tuple[int, int]) -> SliceResult | None:
    account = await get_account(bulk.db, account_id)
    if account is None or account.status != AccountStatus.ACTIVE.value:
        state = account.status if account is not None else "gone"
        await park_account_runs(bulk.db, account_id, f"seller is {state}")
        return SliceResult(Outcome.PARKED)
    runs = [run for run in await open_runs(bulk.db, account_id) if run.status in RUNNABLE]
    if not runs or await _superseded(bulk, account_id, runs[0], expected):
        return None
    deadline = asyncio.get_running_loop().time() + bulk.config.backfill_slice_seconds
    return await run_slice(bulk, account, deadline)


async def _superseded(bulk: Bulk, account_id: int, run: BackfillRun, expected: tuple[int, int]) -> bool:
    """Another job took this slice and queued the next one. (A job retried after a kill or a cancel finds its
    slice taken but no continuation queued: it holds the account lock, so it carries the run on.)"""
    assert run.id is not None
    if (run.id, run.slices) == expected:
        return False
    next_job = backfill_job_id(bulk.config.queue_name, account_id, run.id, run.slices)
    return await job_pending(bulk.redis, next_job)


async def resume_backfills(ctx: dict[str, Any]) -> int:
    """Queue the backfill of every active account whose runs nobody works on (lost job, killed worker) or
    that were parked until the seller reconnected."""
    bulk = job_deps(ctx).bulk
    queued = 0
    for account_id in await accounts_to_resume(bulk.db, STALE):
        await unpark_account_runs(bulk.db, account_id)
        queued += await enqueue_backfill(bulk.db, bulk.redis, account_id)
    if queued:
        log.info("ml.backfill.resumed", accounts=queued)
    return queued


def _every(minutes: int, second: int) -> dict[str, Any]:
    """arq cron fields for "every `minutes` minutes" (a divisor of an hour or of a day works exactly)."""
    if minutes <= 60:
        return {"minute": set(range(0, 60, minutes)), "second": second}
    return {"hour": set(range(0, 24, max(1, minutes // 60))), "minute": minutes % 60, "second": second}


def bulk_functions() -> list[Function]:
    """The bulk-lane jobs, for `build_worker` (results are not kept, so a job name can be reused at once)."""
    return [
        func(run_backfill, name=RUN_BACKFILL, max_tries=MAX_TRIES, keep_result=0, timeout=300),
        func(reconcile_account, name=RECONCILE_ACCOUNT, max_tries=RECONCILE_TRIES, keep_result=0, timeout=300),
    ]


def bulk_crons(
    named: Callable[..., CronJob], reconcile_every_minutes: int, missed_feeds_every_minutes: int
) -> list[CronJob]:
    """`named`: arq's `cron` with the job named after this deployment's queue (`scoped_cron`). 0 minutes: that
    cron is off."""
    jobs = [named(resume_backfills, second={5, 20, 35, 50}, unique=True, run_at_startup=True)]
    if reconcile_every_minutes:
        every = _every(reconcile_every_minutes, 40)
        jobs.append(named(schedule_reconcile, unique=True, **every))
    if missed_feeds_every_minutes:
        every = _every(missed_feeds_every_minutes, 50)
        jobs.append(named(read_missed_feeds, unique=True, **every))
    return jobs
