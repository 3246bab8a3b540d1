"""The arq job behind a seller's catch-up re-sync (worker/backfill/catchup.py): one at a time per seller."""

from __future__ import annotations

from typing import Any

from arq import Retry

from connectors.errors import MeliError
from worker import redis_keys
from worker.backfill.catchup import CatchUpOutcome, catch_up
from worker.jobs.deps import job_deps
from worker.jobs.outcomes import JobOutcome
from worker.logs import get_logger
from worker.pipeline.locks import held_lock
from worker.pipeline.queue import catchup_slot, enqueue_catchup
from worker.pipeline.reactions import Reaction, backoff, reaction_to
from worker.store.throttled import newest_throttled

log = get_logger(__name__)
LOCK_SECONDS = 15
TRIES = 5


async def catch_up_seller(ctx: dict[str, Any], account_id: int) -> str:
    p = job_deps(ctx).pipeline
    key = redis_keys.catchup_lock(p.rules.queue_name, account_id)
    async with held_lock(p.redis, key, LOCK_SECONDS) as lock:
        if lock is None:
            return JobOutcome.BUSY  # the holder queues a follow-up for rows that arrive while it works
        outcome: CatchUpOutcome | JobOutcome
        try:
            outcome = await catch_up(p, account_id)
        except MeliError as error:
            reaction, job_try = reaction_to(error), int(ctx.get("job_try", 1))
            if reaction in (Reaction.RETRY, Reaction.STOP) and job_try < TRIES:
                raise Retry(defer=backoff(job_try)) from None
            # Rows stay throttled: the seller's reconnect (parked) or the sweeper (failed) brings the catch-up back.
            log.warning("ml.catchup.failed", account_id=account_id, reaction=reaction.value, error=str(error))
            outcome = JobOutcome.PARKED if reaction is Reaction.PARK else JobOutcome.FAILED
    if outcome is CatchUpOutcome.DONE and await newest_throttled(p.db, account_id) is not None:
        interval = p.rules.catchup_interval
        await enqueue_catchup(p.redis, account_id, interval, catchup_slot(interval) + 1)
    return outcome
