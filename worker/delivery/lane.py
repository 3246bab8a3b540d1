"""One business's delivery lane: its due deliveries, oldest event first, each sent as profile → products →
order → event, and the outcome recorded (worker/delivery/outcomes.py).

A lane only ever talks to its own business's Hellotext with its own token; it stops at the first sign that
Hellotext is unwell for this business (an uncertain answer, a 429, a 401), so an outage costs that business
one timeout per run and never holds up another business's lane."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from connectors.errors import RemoteError
from connectors.hellotext.client import HellotextClient
from connectors.hellotext.outcomes import Outcome, outcome_of
from connectors.hellotext.payloads import event_body
from worker.clock import utcnow
from worker.delivery.outcomes import Attempt, record_outcome
from worker.delivery.policy import in_history_window, may_repeat_after_lost_answer
from worker.delivery.records import Records
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.deliveries import DeliveryWork, due_work, set_delivery
from worker.store.delivery_models import DeliveryStatus
from worker.store.hellotext import HellotextConfig, load_config

LOST_BEFORE = (
    "an earlier send's answer was lost and Hellotext cannot be asked whether it kept this event: "
    "retry to send it again, or skip it"
)
STOPS = frozenset({Outcome.UNCERTAIN, Outcome.RETRY_AFTER, Outcome.AUTH_FAILED})


@dataclass(frozen=True)
class LaneOptions:
    base_url: str
    timeout: float
    batch: int


@dataclass
class Lane:
    db: Database
    config: HellotextConfig
    records: Records
    rng: random.Random
    clock: Callable[[], datetime]

    async def attempt(self, work: DeliveryWork) -> Attempt:
        """Send one delivery; the outcome, the error, and whether the event itself was sent."""
        try:
            profile_id = await self.records.profile(work.buyer)
            order_id = await self.records.order(work.order) if work.order is not None else None
            if work.uncertain and not may_repeat_after_lost_answer(work.action):
                return Attempt(Outcome.REVIEW, None, sent=False, reason=LOST_BEFORE)
            await set_delivery(self.db, work.id, uncertain=True)  # from here on, a lost answer leaves a doubt
            body = event_body(work.action, profile_id, order_id, work.tracked_at, work.amount, work.currency)
            try:
                await self.records.client.track(body)
            except RemoteError as error:
                return Attempt(outcome_of(error), error, sent=True)
            return Attempt(Outcome.DELIVERED, None, sent=True)
        except RemoteError as error:
            return Attempt(outcome_of(error), error, sent=False)

    async def run(self, works: list[DeliveryWork]) -> Counter[str]:
        done: Counter[str] = Counter()
        for work in works:
            if not in_history_window(work.tracked_at, self.config.connected_at, self.config.history_days):
                reason = "history outside the business's history setting"
                await set_delivery(self.db, work.id, status=DeliveryStatus.SKIPPED.value, reason=reason)
                done["skipped"] += 1
                continue
            attempt = await self.attempt(work)
            done[await record_outcome(self.db, self.config.business_id, work, attempt, self.clock(), self.rng)] += 1
            if attempt.outcome in STOPS:  # later events of its order must not overtake it: the lane ends here
                break
        return done


async def run_lane(
    db: Database, cipher: TokenCipher, http: aiohttp.ClientSession, options: LaneOptions, business_id: int,
    *, rng: random.Random | None = None, clock: Callable[[], datetime] = utcnow,
) -> Counter[str]:  # fmt: skip
    """Deliver what is due for one business; returns how many deliveries ended in each way."""
    config = await load_config(db, cipher, business_id)
    now = clock()
    if config is None or not config.sending or (config.retry_at is not None and config.retry_at > now):
        return Counter()
    client = HellotextClient(http, config.token, base_url=options.base_url, timeout=options.timeout)
    lane = Lane(db, config, Records(db, business_id, client), rng or random.Random(), clock)
    return await lane.run(await due_work(db, business_id, now, options.batch))
