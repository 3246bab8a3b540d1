"""One slice of an account's backfill: walk the windows of its first open run (`walker.py`) until a deadline.

Every page ends with a checkpoint (window offset and run counters, one transaction), so a slice can stop
anywhere: at the deadline (the job queues its continuation), on a revoked seller (the account's runs park
until it reconnects), on a transient error that outlived the client's retries (the run is retried with
backoff; 429s only slow it down), or when a kill interrupts it (the next runner repeats the pages that were
not checkpointed: at most two).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.errors import AuthError, PermanentError, TransientError
from worker.backfill.lane import Bulk
from worker.backfill.walker import RunWalker
from worker.logs import get_logger
from worker.store.backfills import (
    RUNNABLE,
    open_runs,
    park_account_runs,
    record_failure,
    set_run_status,
    start_slice,
)
from worker.store.models import BackfillStatus, MlAccount

log = get_logger(__name__)
MAX_BACKOFF_SECONDS = 300.0


class Outcome(StrEnum):
    MORE = "more"  # stopped at the deadline, or finished a run while another is open: continue
    IDLE = "idle"  # nothing left to do
    PARKED = "parked"  # the seller must reconnect
    RETRY = "retry"  # a transient error: continue after `defer` seconds


@dataclass(frozen=True)
class SliceResult:
    outcome: Outcome
    defer: float = 0.0


async def run_slice(bulk: Bulk, account: MlAccount, deadline: float) -> SliceResult:
    """Work on the account's first runnable run until `deadline` (event-loop time)."""
    assert account.id is not None
    runs = [run for run in await open_runs(bulk.db, account.id) if run.status in RUNNABLE]
    if not runs:
        return SliceResult(Outcome.IDLE)
    run = runs[0]
    assert run.id is not None
    await start_slice(bulk.db, run.id)
    walker = RunWalker(bulk, account, run, bulk.client())
    try:
        finished = await walker.walk_until(deadline)
    except AuthError as error:
        parked = await park_account_runs(bulk.db, account.id, f"needs_reauth: {error}")
        log.warning("ml.backfill.parked", account_id=account.id, runs=parked, error=str(error))
        return SliceResult(Outcome.PARKED)
    except TransientError as error:
        failures = await record_failure(bulk.db, run.id, str(error))
        log.warning("ml.backfill.retry", account_id=account.id, backfill_id=run.id, failures=failures)
        return SliceResult(Outcome.RETRY, min(MAX_BACKOFF_SECONDS, 2.0**failures))
    except PermanentError as error:  # the search itself is refused: retrying cannot help
        await set_run_status(bulk.db, run.id, BackfillStatus.FAILED, str(error))
        log.error("ml.backfill.failed", account_id=account.id, backfill_id=run.id, error=str(error))
        return SliceResult(Outcome.MORE if len(runs) > 1 else Outcome.IDLE)
    if not finished:
        return SliceResult(Outcome.MORE)
    await set_run_status(bulk.db, run.id, BackfillStatus.DONE)
    bulk.claims.pop(run.id, None)
    log.info("ml.backfill.done", account_id=account.id, backfill_id=run.id, phase=run.phase)
    return SliceResult(Outcome.MORE if len(runs) > 1 else Outcome.IDLE)
