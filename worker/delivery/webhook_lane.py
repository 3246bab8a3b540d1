"""One business's outbound webhooks: for each of its active endpoints (side by side, so one endpoint that fails
never holds up another), the due messages signed and posted, and each answer recorded.

- 2xx: delivered;
- 410 Gone: the endpoint is disabled (the receiver asked for no more); the message stays pending;
- anything else (another status, a redirect, a timeout, a refused connection): the message waits with the
  backoff of worker/delivery/policy.py, then goes to review after about a day; the rest of its group (an
  order's events, an account's changes) waits with it.

Several groups are in flight at once (`width`), each sending its messages one after another, in the order they
were written. A round in which nothing got through and something failed makes the endpoint rest until the
first of those messages is due again, so a receiver that is down costs one round per rest."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import aiohttp

from worker.clock import utcnow
from worker.delivery.addresses import literal_refused
from worker.delivery.policy import next_attempt
from worker.delivery.signing import signed_headers
from worker.logs import get_logger
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.webhook_models import EndpointStatus, MessageStatus
from worker.store.webhook_queue import MessageWork, due_messages, mark_delivered, set_messages
from worker.store.webhooks import Endpoint, active_endpoints, update_endpoint

log = get_logger(__name__)
MAX_ANSWER = 512  # bytes of a receiver's answer read (for the reason kept on a failure); the rest is never read
GONE = 410


class Outcome(StrEnum):
    DELIVERED = "delivered"
    GONE = "gone"
    FAILED = "failed"


@dataclass(frozen=True)
class WebhookOptions:
    timeout: float
    allow_local: bool
    batch: int = 200
    width: int = 8  # groups in flight at once, per endpoint
    budget: float = 30.0  # seconds one run keeps taking batches while they come full


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    status: int | None
    reason: str | None = None


def _reason(status: int, text: bytes) -> str:
    shown = re.sub(r"\s+", " ", text.decode("utf-8", errors="replace")).strip()[:200]
    return f"HTTP {status}" + (f": {shown}" if shown else "")


async def send(http: aiohttp.ClientSession, endpoint: Endpoint, work: MessageWork, options: WebhookOptions,
               timestamp: int) -> Answer:  # fmt: skip
    if literal_refused(endpoint.url, options.allow_local):
        return Answer(Outcome.FAILED, None, "the URL's address is not public")
    body = work.body.encode()
    headers = signed_headers(endpoint.secret, work.message_id, timestamp, body)
    timeout = aiohttp.ClientTimeout(total=options.timeout)
    try:
        async with http.post(endpoint.url, data=body, headers=headers, allow_redirects=False,
                             timeout=timeout) as response:  # fmt: skip
            status, text = response.status, await response.content.read(MAX_ANSWER)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return Answer(Outcome.FAILED, None, f"no answer ({type(error).__name__})")
    if 200 <= status < 300:
        return Answer(Outcome.DELIVERED, status)
    return Answer(Outcome.GONE if status == GONE else Outcome.FAILED, status, _reason(status, text))


@dataclass
class EndpointLane:
    db: Database
    http: aiohttp.ClientSession
    options: WebhookOptions
    endpoint: Endpoint
    rng: random.Random
    clock: Callable[[], datetime]
    failed: set[int] = field(default_factory=set)  # messages of this run that failed: their groups wait

    async def run(self) -> Counter[str]:
        done: Counter[str] = Counter()
        started = time.monotonic()
        while True:
            works = await due_messages(self.db, self.endpoint.id, self.clock(), self.options.batch)
            groups = by_group(works)
            while groups:
                taken = groups[: self.options.width]
                heads = [group.popleft() for group in taken]
                outcome = await self.round(heads)
                done.update(outcome)
                if (outcome["failed"] and not outcome["delivered"]) or outcome["disabled"]:
                    return done
                failed = {id(group) for group, work in zip(taken, heads, strict=True) if work.id in self.failed}
                groups = [group for group in groups if group and id(group) not in failed]
            if len(works) < self.options.batch or time.monotonic() - started >= self.options.budget:
                return done

    async def round(self, works: list[MessageWork]) -> Counter[str]:
        timestamp = int(self.clock().timestamp())
        answers = await asyncio.gather(*(send(self.http, self.endpoint, w, self.options, timestamp) for w in works))
        now, done, ids = self.clock(), Counter[str](), dict(business_id=self.endpoint.business_id)
        delivered = {
            w.id: a.status or 200 for w, a in zip(works, answers, strict=True) if a.outcome is Outcome.DELIVERED
        }
        await mark_delivered(self.db, list(delivered), delivered, now)
        done["delivered"] = len(delivered)
        if delivered:
            log.info("webhook.delivery.delivered", **ids, endpoint_id=self.endpoint.id, messages=len(delivered))
        if any(answer.outcome is Outcome.GONE for answer in answers):
            reason = "the receiver answered 410 Gone"
            await update_endpoint(self.db, self.endpoint.id, status=EndpointStatus.DISABLED.value, reason=reason)
            log.warning("webhook.endpoint.disabled", **ids, endpoint_id=self.endpoint.id, status=GONE)
            done["disabled"] = 1
            return done
        dues = [await self.failed_once(work, answer, now) for work, answer in zip(works, answers, strict=True)
                if answer.outcome is Outcome.FAILED]  # fmt: skip
        done["failed"] = len(dues)
        if dues and not delivered:
            await update_endpoint(self.db, self.endpoint.id, retry_at=min(dues))
        return +done

    async def failed_once(self, work: MessageWork, answer: Answer, now: datetime) -> datetime:
        """Record the failure; returns when the message is due again (now, when it went to review)."""
        self.failed.add(work.id)
        attempts, first = work.attempts + 1, work.first_failed_at or now
        due = next_attempt(attempts, first, now, self.rng)
        fields = {"attempts": attempts, "first_failed_at": first, "last_status": answer.status,
                  "reason": (answer.reason or "")[:500] or None}  # fmt: skip
        log.info("webhook.delivery.failed", business_id=self.endpoint.business_id, endpoint_id=self.endpoint.id,
                 message_id=work.message_id, status=answer.status, review=due is None)  # fmt: skip
        if due is None:
            await set_messages(self.db, [work.id], status=MessageStatus.REVIEW.value, **fields)
            return now
        await set_messages(self.db, [work.id], due_at=due, **fields)
        return due


def by_group(works: list[MessageWork]) -> list[deque[MessageWork]]:
    """The messages by group (a message without one alone), each group in the order given."""
    groups: dict[str, deque[MessageWork]] = {}
    for work in works:
        groups.setdefault(work.order_key or f"message:{work.id}", deque()).append(work)
    return list(groups.values())


async def run_webhooks(
    db: Database, cipher: TokenCipher, http: aiohttp.ClientSession, options: WebhookOptions, business_id: int,
    *, rng: random.Random | None = None, clock: Callable[[], datetime] = utcnow,
) -> Counter[str]:  # fmt: skip
    """Send what is due to each active endpoint of the business that does not rest; how many ended each way."""
    rng, now = rng or random.Random(), clock()
    lanes = [
        EndpointLane(db, http, options, endpoint, rng, clock)
        for endpoint in await active_endpoints(db, cipher, business_id)
        if endpoint.retry_at is None or endpoint.retry_at <= now
    ]
    done: Counter[str] = Counter()
    for ended in await asyncio.gather(*(lane.run() for lane in lanes)):
        done.update(ended)
    return +done
