"""Starting and resuming backfills: the connect hook, manual runs (`meli backfill`) and job queueing.

`on_account_connected` is what the connect flow calls after `link_account` (first connect or reconnect): the
first time it stores the two phases of the initial import (recent, then history), later it resumes parked
runs; either way it queues the account's backfill job. Everything here is idempotent: a second call, or a
second `meli backfill` while one runs, joins the open run instead of starting another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from arq.connections import ArqRedis

from worker import redis_keys
from worker.backfill.windows import PhasePlan, initial_phases, manual_phase, to_ms
from worker.clock import utcnow
from worker.errors import Conflict
from worker.logs import get_logger
from worker.store.accounts import get_account
from worker.store.backfills import (
    RUNNABLE,
    NewRun,
    create_run,
    has_initial_import,
    open_runs,
    unpark_account_runs,
)
from worker.store.db import Database
from worker.store.models import AccountStatus, BackfillRun, MlAccount

log = get_logger(__name__)
RUN_BACKFILL: Final = "run_backfill"


def backfill_job_id(queue_name: str, account_id: int, run_id: int, slices: int) -> str:
    """Named after the slice it will run: the same continuation queued twice collapses into one job, and a job
    whose slice another runner already took finds out and stops (see `run_backfill`)."""
    return redis_keys.backfill_job(queue_name, account_id, run_id, slices)


async def enqueue_backfill(db: Database, redis: ArqRedis, account_id: int, defer: float | None = None) -> bool:
    """Queue the job that works on the account's first runnable run; False when there is none (or it is
    already queued)."""
    runs = [run for run in await open_runs(db, account_id) if run.status in RUNNABLE]
    if not runs:
        return False
    run = runs[0]
    assert run.id is not None
    job_id = backfill_job_id(redis.default_queue_name, account_id, run.id, run.slices)
    job = await redis.enqueue_job(RUN_BACKFILL, account_id, run.id, run.slices, _job_id=job_id, _defer_by=defer)
    return job is not None


@dataclass(frozen=True)
class BackfillPlan:
    """What an import covers: whether a connect starts one, its recent and full depth, cancelled orders too."""

    on_connect: bool
    recent_days: int
    depth_days: int
    search_cancelled: bool


def _filters(plan: BackfillPlan) -> tuple[str | None, ...]:
    return (None, "cancelled") if plan.search_cancelled else (None,)


async def _store(db: Database, backfill: BackfillPlan, account: MlAccount, plan: PhasePlan) -> BackfillRun | None:
    assert account.id is not None
    new = NewRun(
        account.id, plan.phase, plan.priority, plan.since, plan.until, account.connected_at, _filters(backfill)
    )
    return await create_run(db, new)


async def on_account_connected(
    db: Database, redis: ArqRedis, backfill: BackfillPlan, account_id: int, now: datetime | None = None
) -> list[BackfillRun]:
    """The connect hook: store the initial import the first time, resume parked runs after a reconnect, and
    queue the job. Returns the runs it created."""
    account = await get_account(db, account_id)
    if account is None or not backfill.on_connect:
        return []
    created: list[BackfillRun] = []
    if not await has_initial_import(db, account_id):
        for plan in initial_phases(now or utcnow(), backfill.recent_days, backfill.depth_days):
            run = await _store(db, backfill, account, plan)
            if run is not None:
                created.append(run)
    else:
        await unpark_account_runs(db, account_id)
    await enqueue_backfill(db, redis, account_id)
    log.info("ml.backfill.connected", account_id=account_id, runs_created=len(created))
    return created


@dataclass(frozen=True)
class Requested:
    runs: list[BackfillRun]  # the runs the caller should drive or watch, in order
    created: bool


async def request_backfill(
    db: Database, backfill: BackfillPlan, account: MlAccount, since: datetime | None, until: datetime | None
) -> Requested:
    """A manual backfill. Joins the account's open runs when there are some and no other range is asked for;
    refuses (Conflict) another range while they run; else stores a new run over [since, until)."""
    assert account.id is not None
    if account.status == AccountStatus.ACTIVE.value:
        await unpark_account_runs(db, account.id)
    current = await open_runs(db, account.id)
    if current:
        wanted = (to_ms(since) if since else None, to_ms(until) if until else None)
        if wanted != (None, None) and all(wanted != _range(run, wanted) for run in current):
            first = current[0]
            raise Conflict(
                f"seller {account.seller_id} already has a backfill in progress (#{first.id}, "
                f"{first.since:%Y-%m-%d} to {first.until:%Y-%m-%d}); run without --since/--until to resume it"
            )
        return Requested(current, created=False)
    now = utcnow()
    plan = manual_phase(since or now - timedelta(days=backfill.depth_days), min(until or now, now))
    run = await _store(db, backfill, account, plan)
    return Requested(await open_runs(db, account.id) if run is None else [run], created=run is not None)


def _range(run: BackfillRun, wanted: tuple[datetime | None, datetime | None]) -> tuple[datetime | None, ...]:
    """The run's range in the shape of `wanted` (an unset bound matches anything)."""
    return (run.since if wanted[0] else None, run.until if wanted[1] else None)
