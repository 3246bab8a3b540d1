"""Rate limits of the web process, in Redis so every web process shares them.

* Wrong API keys: at most `api_auth_failures_per_minute` per client address in a one-minute window; past it
  the API answers 429 (with Retry-After) without looking at the key.
* Sign-ins (OAuth states): at most `connect_starts_per_link` per link and `connect_starts_per_address` per
  client address an hour (GCRA, so they refill steadily).

A limit that cannot reach Redis lets the request through (and says so in the log): the page or API then works
as well as it can rather than failing on the limiter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from connectors.ratelimit import RateLimiter
from worker import redis_keys
from worker.logs import get_logger

log = get_logger(__name__)
WINDOW_S = 60
HOUR_S = 3600.0
# Count one failure; the window starts with the first one.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


@dataclass(frozen=True)
class LimitRates:
    api_auth_failures_per_minute: int
    connect_starts_per_address: int
    connect_starts_per_link: int


class Limits:
    def __init__(self, redis: Redis, queue_name: str, rates: LimitRates) -> None:
        self._redis = redis
        self._queue = queue_name
        self._prefix = redis_keys.web_limits(queue_name)
        self._rates = rates
        self._gcra = RateLimiter(redis, self._prefix)
        self._count = redis.register_script(_COUNT)

    async def api_blocked(self, address: str) -> int | None:
        """Seconds until this address may try an API key again; None when it may now."""
        key = redis_keys.api_failures(self._queue, address)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(key)
                pipe.ttl(key)
                count, ttl = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("web.limits.unavailable", limit="api_failures", error=type(exc).__name__)
            return None
        if count is None or int(count) < self._rates.api_auth_failures_per_minute:
            return None
        return max(1, int(ttl))

    async def api_failed(self, address: str) -> None:
        try:
            await self._count(keys=[redis_keys.api_failures(self._queue, address)], args=[WINDOW_S])
        except (RedisError, OSError) as exc:
            log.warning("web.limits.unavailable", limit="api_failures", error=type(exc).__name__)

    async def connect_start(self, subject: str, address: str) -> int | None:
        """Count one sign-in start of `subject` (a link, or an account reconnecting); seconds to wait instead when
        the address or the subject has started too many."""
        per_address, per_subject = self._rates.connect_starts_per_address, self._rates.connect_starts_per_link
        budgets = (
            (f"starts:address:{address}", per_address / HOUR_S, per_address),
            (f"starts:{subject}", per_subject / HOUR_S, per_subject),
        )
        try:
            wait = await self._gcra.delay_for_each(budgets)  # both or neither: a refusal spends no budget
        except (RedisError, OSError) as exc:
            log.warning("web.limits.unavailable", limit="connect_starts", error=type(exc).__name__)
            return None
        return max(1, math.ceil(wait)) if wait > 0 else None
