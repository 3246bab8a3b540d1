"""One business's delivery lane: its due deliveries, each sent as profile → products → order → event, and the
outcome recorded (worker/delivery/outcomes.py).

Several orders are in flight at once (up to `LaneOptions.width`): the lane works in rounds, sending the next
event of each of several orders together, so an order's events still reach Hellotext one after another, in the
order they happened. Every delivery Hellotext received in a round is recorded with one statement. A lane starts
with one order in flight and doubles that after every round Hellotext received in full, so a lane that starts
while Hellotext is still down costs one uncertain delivery, not `width` of them.

A lane only ever talks to its own business's Hellotext with its own token; it stops after the round that shows
Hellotext is unwell for this business (a 429, a 401, or a round where nothing got through and an answer was
lost; a lost answer among answers received only holds its own order), so an outage costs that business one
timeout per run and never holds up another business's lane. When a lane that rested gets events through again,
the deliveries that failed only while it rested are due at once, however often they failed. While work keeps
coming, the lane keeps going for up to `budget` seconds, and waits up to `linger` seconds for new work, instead
of waiting for the next sweep."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

from connectors.errors import RemoteError
from connectors.hellotext.client import HellotextClient
from connectors.hellotext.outcomes import Outcome, outcome_of
from connectors.hellotext.payloads import event_body, product_reference
from worker.clock import utcnow
from worker.delivery.outcomes import Attempt, record_outcome
from worker.delivery.policy import in_history_window, may_repeat_after_lost_answer
from worker.delivery.records import Records
from worker.logs import get_logger
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.deliveries import (
    DeliveryWork,
    due_work,
    mark_delivered,
    set_deliveries,
    set_delivery,
    wake_failed_since,
)
from worker.store.delivery_models import DeliveryStatus
from worker.store.hellotext import HellotextConfig, end_rest, load_config

log = get_logger(__name__)
LOST_BEFORE = (
    "an earlier send's answer was lost and Hellotext cannot be asked whether it kept this event: "
    "retry to send it again, or skip it"
)
OUTSIDE_HISTORY = "history outside the business's history setting"
STOPS = frozenset({Outcome.UNCERTAIN, Outcome.RETRY_AFTER, Outcome.AUTH_FAILED})
IDLE_POLL = 0.1  # seconds between looks for new work while lingering


@dataclass(frozen=True)
class LaneOptions:
    base_url: str
    timeout: float
    batch: int
    width: int = 32  # orders in flight at once
    budget: float = 0.0  # seconds the lane keeps taking batches while they come full (0: one batch)
    linger: float = 0.0  # seconds the lane waits for new work once nothing is due


@dataclass
class Lane:
    db: Database
    config: HellotextConfig
    records: Records
    rng: random.Random
    clock: Callable[[], datetime]
    limit: int = 32
    width: int = 1  # orders in the next round: doubled after a round received in full, up to `limit`
    stopped: bool = False
    waiting: set[int] = field(default_factory=set)  # deliveries of this run that wait after a lost answer

    async def attempt(self, work: DeliveryWork) -> Attempt:
        """Send one delivery; the outcome, the error, and whether the event itself was sent."""
        try:
            profile_id = await self.records.profile(work.buyer)
            order_id = await self.records.order(work.order) if work.order is not None else None
            if work.uncertain and not may_repeat_after_lost_answer(work.action):
                return Attempt(Outcome.REVIEW, None, sent=False, reason=LOST_BEFORE)
            if not may_repeat_after_lost_answer(work.action):  # from here on, a lost answer leaves a doubt
                await set_delivery(self.db, work.id, uncertain=True)
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
        config = self.config
        outside = [w.id for w in works if not in_history_window(w.tracked_at, config.connected_at, config.history_days)]
        await set_deliveries(self.db, outside, status=DeliveryStatus.SKIPPED.value, reason=OUTSIDE_HISTORY)
        done["skipped"] += len(outside)
        skipped = set(outside)
        orders = by_order([w for w in works if w.id not in skipped])
        await self.prime(works)
        while orders and not self.stopped:
            taken = orders[: self.width]
            heads = [queue.popleft() for queue in taken]
            outcome = await self.round(heads)
            waits = {id(queue) for queue, work in zip(taken, heads, strict=True) if work.id in self.waiting}
            orders = [queue for queue in orders if queue and id(queue) not in waits]  # the rest of a waiting order
            if outcome["delivered"] == len(heads):
                self.width = min(self.limit, self.width * 2)
            done.update(outcome)
        return +done

    async def round(self, works: list[DeliveryWork]) -> Counter[str]:
        """Send one event of each of these orders together, then record the outcomes."""
        attempts = await asyncio.gather(*(self.attempt(work) for work in works))
        now, done = self.clock(), Counter[str]()
        received = [
            work.id for work, attempt in zip(works, attempts, strict=True) if attempt.outcome is Outcome.DELIVERED
        ]
        await mark_delivered(self.db, received, now)
        if received:
            log.info("hellotext.delivery.delivered", business_id=self.config.business_id, deliveries=len(received))
        done["delivered"] += len(received)
        # Nothing got through and an answer was lost: Hellotext is likely unwell for this business, the lane
        # rests. A lost answer among answers received is one delivery's: it waits, and so does its order.
        unwell = not received and any(attempt.outcome is Outcome.UNCERTAIN for attempt in attempts)
        for work, attempt in zip(works, attempts, strict=True):
            if attempt.outcome is not Outcome.DELIVERED:
                ended = await record_outcome(self.db, self.config.business_id, work, attempt, now, self.rng, unwell)
                done[ended] += 1
            if attempt.outcome in STOPS and (unwell or attempt.outcome is not Outcome.UNCERTAIN):
                self.stopped = True  # later events must not overtake it: the lane ends here
            elif attempt.outcome is Outcome.UNCERTAIN:
                self.waiting.add(work.id)
        return done

    async def prime(self, works: list[DeliveryWork]) -> None:
        """Read the Hellotext ids this batch needs, one query per kind."""
        await self.records.prime("profile", {work.buyer.external_id for work in works})
        orders = [work.order for work in works if work.order is not None]
        await self.records.prime("product", {product_reference(item) for order in orders for item in order.items})
        await self.records.prime("order", {order.reference for order in orders})


def by_order(works: list[DeliveryWork]) -> list[deque[DeliveryWork]]:
    """The works grouped by order (an event without an order alone), each group in the order given."""
    groups: dict[tuple[str, int], deque[DeliveryWork]] = {}
    for work in works:
        key = ("order", work.order.id or 0) if work.order is not None else ("event", work.id)
        groups.setdefault(key, deque()).append(work)
    return list(groups.values())


def may_send(config: HellotextConfig | None, now: datetime) -> bool:
    return config is not None and config.sending and (config.retry_at is None or config.retry_at <= now)


async def back_after_rest(db: Database, config: HellotextConfig, delivered: int, now: datetime) -> bool:
    """A lane that rested got events through: it rests no more, and what failed only while it rested is due
    now. True when some deliveries were made due."""
    if (config.retry_at is None and config.resting_since is None) or not delivered:
        return False
    await end_rest(db, config.business_id)
    if config.resting_since is None:
        return False
    return await wake_failed_since(db, config.business_id, config.resting_since, now) > 0


async def run_lane(
    db: Database, cipher: TokenCipher, http: aiohttp.ClientSession, options: LaneOptions, business_id: int,
    *, rng: random.Random | None = None, clock: Callable[[], datetime] = utcnow,
) -> Counter[str]:  # fmt: skip
    """Deliver what is due for one business; returns how many deliveries ended in each way."""
    done: Counter[str] = Counter()
    started = idle_since = time.monotonic()
    records: Records | None = None
    rng, width = rng or random.Random(), 1
    while True:
        config, now = await load_config(db, cipher, business_id), clock()
        if config is None or not may_send(config, now):
            return done
        if records is None:
            client = HellotextClient(http, config.token, base_url=options.base_url, timeout=options.timeout)
            records = Records(db, business_id, client)
        works = await due_work(db, business_id, now, options.batch)
        if works:
            lane = Lane(db, config, records, rng, clock, options.width, width)
            ended = await lane.run(works)
            done.update(ended)
            width, idle_since = lane.width, time.monotonic()
            if lane.stopped:
                return done
            if await back_after_rest(db, config, ended["delivered"], clock()):
                continue  # once per run: the lane rests no more
            if len(works) < options.batch and not options.linger:
                return done
        elif time.monotonic() - idle_since >= options.linger:
            return done
        else:
            await asyncio.sleep(IDLE_POLL)
        if time.monotonic() - started >= options.budget:
            return done
