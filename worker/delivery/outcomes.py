"""What each outcome of a delivery attempt does to the delivery and to its business's lane:

- delivered: the delivery is done (time and attempts kept);
- review: a person decides (Hellotext's short explanation and HTTP status kept);
- auth failed (401): the business's delivery waits until its token is replaced; the delivery is not charged;
- retry after (429): the whole lane waits as long as Hellotext asked; the delivery is not charged;
- uncertain (5xx, timeout, reset): the delivery waits with backoff (after about a day it goes to review); when
  Hellotext looks unwell (nothing of the lane's round got through), the lane rests until then or 5 s, whichever
  is sooner (it then sends one order's event to see whether Hellotext is back).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.errors import RateLimited, RemoteError
from connectors.hellotext.outcomes import Outcome
from worker.delivery.policy import next_attempt
from worker.logs import get_logger
from worker.store.db import Database
from worker.store.deliveries import DeliveryWork, set_delivery
from worker.store.delivery_models import DeliveryStatus, HellotextStatus
from worker.store.hellotext import rest_lane, update_settings

log = get_logger(__name__)
DEFAULT_RETRY_AFTER = 60.0
LANE_REST = timedelta(seconds=5)


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    error: RemoteError | None
    sent: bool  # the event itself was sent (not only the records it needs)
    reason: str | None = None

    @property
    def explanation(self) -> str | None:
        return (self.reason or (str(self.error) if self.error else None) or "")[:500] or None


async def record_outcome(
    db: Database, business_id: int, work: DeliveryWork, attempt: Attempt, now: datetime, rng: random.Random,
    unwell: bool = True,
) -> str:  # fmt: skip
    """Store what the attempt means; returns the word counted in the lane's report."""
    status = attempt.error.status if attempt.error is not None else None
    # A lost answer to this send leaves a doubt; a refusal leaves the doubt an earlier send left, if any.
    doubt = work.uncertain or (attempt.sent and attempt.outcome is Outcome.UNCERTAIN)
    fields = {"last_status": status, "reason": attempt.explanation, "uncertain": doubt}
    log.info("hellotext.delivery." + attempt.outcome.value, business_id=business_id, delivery_id=work.id,
             action=work.action, status=status)  # fmt: skip
    if attempt.outcome is Outcome.DELIVERED:
        await set_delivery(db, work.id, status=DeliveryStatus.DELIVERED.value, delivered_at=now,
                           attempts=work.attempts + 1, last_status=200, reason=None, uncertain=False)  # fmt: skip
        return "delivered"
    if attempt.outcome is Outcome.AUTH_FAILED:
        await update_settings(db, business_id, status=HellotextStatus.AUTH_FAILED.value)
        await set_delivery(db, work.id, **fields)
        return "waiting"
    if attempt.outcome is Outcome.RETRY_AFTER:
        wait = attempt.error.retry_after if isinstance(attempt.error, RateLimited) else None
        await update_settings(db, business_id, retry_at=now + timedelta(seconds=wait or DEFAULT_RETRY_AFTER))
        await set_delivery(db, work.id, **fields)
        return "waiting"
    attempts, first_failed = work.attempts + 1, work.first_failed_at or now
    due = next_attempt(attempts, first_failed, now, rng) if attempt.outcome is Outcome.UNCERTAIN else None
    if due is None:
        await set_delivery(db, work.id, status=DeliveryStatus.REVIEW.value, attempts=attempts,
                           first_failed_at=first_failed, **fields)  # fmt: skip
        return "review"
    await set_delivery(db, work.id, attempts=attempts, first_failed_at=first_failed, due_at=due, **fields)
    if unwell:  # Hellotext is likely unwell for the whole business: its lane rests too, at most 5 s
        await rest_lane(db, business_id, min(due, now + LANE_REST), now)
    return "waiting"
