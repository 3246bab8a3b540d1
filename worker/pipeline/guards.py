"""What keeps forged notifications from spending a seller's ML budget.

* **Suspicion.** Forged notifications name order ids that are not the seller's: ML answers 404 (unknown) or 403
  (another seller's). `MELI_SUSPECT_NOT_FOUND_BURST` such answers for one seller within a minute put the
  seller under suspicion for `SUSPECT_SECONDS`: its drains then fetch nothing and hand their rows to the
  seller's catch-up re-sync, which verifies every notified id at once with one orders search.
* **Attempt budget.** A row may cost `MELI_INBOX_ATTEMPT_BUDGET` failed ML calls, client retries and later
  tries together (`connectors.http.ATTEMPTS`, worker/pipeline/batch.py); the row then fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.errors import MeliError, PermanentError, RemoteNotFound
from worker import redis_keys
from worker.logs import get_logger
from worker.pipeline.parts import Pipeline
from worker.pipeline.queue import enqueue_catchup
from worker.store.inbox_batch import TakenRow
from worker.store.throttled import throttle_rows

log = get_logger(__name__)
WINDOW_SECONDS = 60
SUSPECT_SECONDS = 300
SUSPECTED = "seller under suspicion of forged notifications: verified by its catch-up re-sync"
# Count refusals in the window; from `burst` on, flag the seller (again: the flag lasts from the last one).
# Returns 1 when this call reached the burst.
_REFUSAL = """
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = redis.call('INCRBY', KEYS[1], ARGV[4])
if before == 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then redis.call('SET', KEYS[2], '1', 'EX', ARGV[3]) end
if before < tonumber(ARGV[2]) and n >= tonumber(ARGV[2]) then return 1 end
return 0
"""


def _keys(p: Pipeline, account_id: int) -> list[str]:
    queue = p.rules.queue_name
    return [redis_keys.scoped(queue, "refusals", account_id), redis_keys.scoped(queue, "suspect", account_id)]


def refused_by_ml(error: BaseException | None) -> bool:
    """ML said the id is not there (404) or not this seller's (403), itself or as the cause of `error`."""
    if error is not None and error.__cause__ is not None:
        return refused_by_ml(error.__cause__)
    return isinstance(error, RemoteNotFound) or (isinstance(error, PermanentError) and error.status == 403)


async def note_refusals(p: Pipeline, account_id: int, errors: Sequence[MeliError | None]) -> None:
    """Count the batch's refusals in one call; the seller comes under suspicion at the burst."""
    count = sum(refused_by_ml(error) for error in errors)
    if not count:
        return
    arguments = (str(WINDOW_SECONDS), str(p.rules.suspect_burst), str(SUSPECT_SECONDS), str(count))
    flagged = await p.redis.eval(_REFUSAL, 2, *_keys(p, account_id), *arguments)  # type: ignore[misc]
    if flagged:
        log.warning("ml.webhook.seller_suspected", account_id=account_id)


async def suspected(p: Pipeline, account_id: int) -> bool:
    return bool(await p.redis.exists(_keys(p, account_id)[1]))


async def hand_to_catchup(p: Pipeline, account_id: int, rows: Sequence[TakenRow]) -> bool:
    """When the seller is under suspicion: the rows go to its catch-up. True when handed."""
    if not await suspected(p, account_id):
        return False
    await throttle_rows(p.db, [row.id for row in rows if row.id is not None], SUSPECTED)
    await enqueue_catchup(p.redis, account_id, p.rules.catchup_interval)
    return True
