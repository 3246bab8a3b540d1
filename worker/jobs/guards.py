"""What keeps forged notifications from spending a seller's ML budget, for the notification job.

* **Suspicion.** Forged notifications name ids that are not the seller's: ML answers 404 (unknown) or 403
  (another seller's). `MELI_SUSPECT_NOT_FOUND_BURST` such answers for one seller within a minute put the
  seller under suspicion for `SUSPECT_SECONDS`: its notification jobs then fetch nothing and hand their rows
  to the seller's catch-up re-sync, which verifies every notified id at once with one orders search.
* **Attempt budget.** A row may cost `MELI_INBOX_ATTEMPT_BUDGET` failed ML calls, client retries and job
  tries together (`connectors.http.ATTEMPTS`); the row then fails instead of being tried again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from connectors.errors import PermanentError, RemoteError, RemoteNotFound
from connectors.http import ATTEMPTS, AttemptBudget
from worker import redis_keys
from worker.jobs.deps import JobDeps
from worker.jobs.names import enqueue_catchup
from worker.logs import get_logger
from worker.store.models import InboxRow
from worker.store.throttled import add_ml_failures, throttle_resource

log = get_logger(__name__)
WINDOW_SECONDS = 60
SUSPECT_SECONDS = 300
SUSPECTED = "seller under suspicion of forged notifications: verified by its catch-up re-sync"
# Count one refusal in the window; from `burst` on, flag the seller (again: the flag lasts from the last one).
# Returns 1 when this call reached the burst.
_REFUSAL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then redis.call('SET', KEYS[2], '1', 'EX', ARGV[3]) end
if n == tonumber(ARGV[2]) then return 1 end
return 0
"""


def _keys(deps: JobDeps, account_id: int) -> list[str]:
    queue = deps.app.settings.queue_name
    return [redis_keys.scoped(queue, "refusals", account_id), redis_keys.scoped(queue, "suspect", account_id)]


def refused_by_ml(error: RemoteError) -> bool:
    """ML said the id is not there (404) or not this seller's (403)."""
    return isinstance(error, RemoteNotFound) or (isinstance(error, PermanentError) and error.status == 403)


async def note_refusal(deps: JobDeps, account_id: int, count: int = 1) -> None:
    burst = deps.app.settings.suspect_not_found_burst
    for _ in range(count):
        flagged = await deps.app.redis.eval(  # type: ignore[misc]
            _REFUSAL, 2, *_keys(deps, account_id), str(WINDOW_SECONDS), str(burst), str(SUSPECT_SECONDS)
        )
        if flagged:
            log.warning("ml.webhook.seller_suspected", account_id=account_id)


async def suspected(deps: JobDeps, account_id: int) -> bool:
    return bool(await deps.app.redis.exists(_keys(deps, account_id)[1]))


async def hand_to_catchup(deps: JobDeps, row: InboxRow, up_to: int) -> bool:
    """When the seller is under suspicion: the rows of this resource go to its catch-up. True when handed."""
    assert row.account_id is not None
    if not await suspected(deps, row.account_id):
        return False
    await throttle_resource(deps.app.db, row, up_to, SUSPECTED)
    await enqueue_catchup(deps.app.redis, row.account_id, deps.app.settings.catchup_interval_seconds)
    return True


@asynccontextmanager
async def attempt_budget(deps: JobDeps, row: InboxRow) -> AsyncIterator[AttemptBudget]:
    """The row's remaining budget around its ML calls; what they spent is added to the row afterwards."""
    assert row.id is not None
    budget = AttemptBudget(deps.app.settings.inbox_attempt_budget - row.ml_failures)
    token = ATTEMPTS.set(budget)
    try:
        yield budget
    finally:
        ATTEMPTS.reset(token)
        if budget.spent:
            await add_ml_failures(deps.app.db, row.id, budget.spent)
