"""HTTP errors classified once, and retries with exponential backoff + jitter that honour Retry-After.

`classify(status, body)` is the one table that turns a response into our error taxonomy; `with_retries` is the
one place that decides to try again. A caller that owns an attempt budget (a job working for one inbox row)
sets `ATTEMPTS` around its calls: every failed attempt spends from it, and retries stop when it is spent, so
the budget bounds the calls of client retries and job tries together.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from connectors.errors import (
    AuthError,
    PermanentError,
    RateLimited,
    RemoteError,
    RemoteNotFound,
    TransientError,
)

T = TypeVar("T")


def _retry_after(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


def classify(status: int, what: str, retry_after: str | None = None) -> RemoteError | None:
    """None for success; otherwise the error this status means. `what` names the call, never a secret.

    206 is not a success: ML answers it with part of a document left out (`X-Content-Missing: buyer, feedback`,
    ML's orders page), which we cannot map; asking again later gets the whole document."""
    if status == 206:
        return TransientError(f"{what}: partial content (206)", status)
    if status < 400:
        return None
    if status == 429:
        return RateLimited(f"{what}: rate limited (429)", _retry_after(retry_after))
    if status in (401,):
        return AuthError(f"{what}: unauthorized (401)", status)
    if status == 404:
        return RemoteNotFound(f"{what}: not found (404)", status)
    if status in (408, 425) or status >= 500:
        return TransientError(f"{what}: server error ({status})", status)
    return PermanentError(f"{what}: refused ({status})", status)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 30.0

    def delay(self, attempt: int, error: TransientError) -> float:
        """Full jitter: a random wait up to base·2^attempt, or exactly what Retry-After asked for."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(error.retry_after, self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass
class AttemptBudget:
    """Failed attempts a unit of work may still make."""

    remaining: int
    spent: int = 0

    def spend(self) -> None:
        self.remaining -= 1
        self.spent += 1


ATTEMPTS: ContextVar[AttemptBudget | None] = ContextVar("attempts", default=None)


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Run `call`; retry transient errors (5xx, timeouts, 429) with backoff, while the policy and the caller's
    attempt budget allow; re-raise the last one."""
    for attempt in range(policy.attempts):
        try:
            return await call()
        except TransientError as error:
            budget = ATTEMPTS.get()
            if budget is not None:
                budget.spend()
            if attempt == policy.attempts - 1 or (budget is not None and budget.remaining <= 0):
                raise
            await asyncio.sleep(policy.delay(attempt, error))
    raise AssertionError("unreachable")
