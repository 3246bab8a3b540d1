"""A request budget shared by every worker process: GCRA (a token bucket expressed as one timestamp) in Redis.

`acquire(key, rate, burst)` waits until one request fits the budget, in one Redis call per attempt (Redis
supplies the clock); `acquire_all` waits for several budgets and takes them together. The per-application budget and the
per-seller budgets are separate keys, so one busy seller cannot spend every other seller's share.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# KEYS = buckets; ARGV = (interval, burst tolerance) per bucket, in whole microseconds, then how many requests.
# Counts them in every bucket and returns 0 when all allow them now; otherwise counts nothing and returns the
# microseconds to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local count = tonumber(ARGV[#ARGV])
local wait, tats = 0, {}
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local allow_at = tat + (count - 1) * tonumber(ARGV[2 * i - 1]) - tonumber(ARGV[2 * i])
  if allow_at - now > wait then wait = allow_at - now end
  tats[i] = tat
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local new_tat = tats[i] + count * tonumber(ARGV[2 * i - 1])
  local ttl_ms = math.ceil((new_tat - now + tonumber(ARGV[2 * i])) / 1000) + 1000
  redis.call('SET', key, string.format('%d', new_tat), 'PX', ttl_ms)
end
return 0
"""


class RateLimiter:
    def __init__(self, redis: Any, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA)

    async def delay_for_all(self, budgets: Sequence[tuple[str, float]], burst: int = 1) -> float:
        """Seconds to wait before the next request under every budget (0 = go now, and it is counted)."""
        return await self.delay_for_each([(key, rate, burst) for key, rate in budgets])

    async def delay_for_each(self, budgets: Sequence[tuple[str, float, int]], count: int = 1) -> float:
        """`delay_for_all` with a burst per budget: (key, rate, burst), for `count` requests at once (at most the
        smallest burst). Counted in all of them or in none."""
        keys, args = [], []
        for key, rate, burst in budgets:
            interval = int(1_000_000 / rate)
            keys.append(f"{self._prefix}:{key}")
            args += [interval, interval * (burst - 1)]
        waited = await self._script(keys=keys, args=[*args, count])
        return float(waited) / 1_000_000

    async def delay_for(self, key: str, rate: float, burst: int = 1) -> float:
        return await self.delay_for_all([(key, rate)], burst)

    async def acquire(self, key: str, rate: float, burst: int = 1) -> None:
        """Wait for a slot in one budget."""
        await self.acquire_all([(key, rate)], burst)

    async def acquire_all(self, budgets: Sequence[tuple[str, float]], burst: int = 1) -> None:
        """Wait until every budget has a slot, then take them all at once (one Redis call per attempt). Polling is
        the point: the budgets live in Redis, shared across processes."""
        while (wait := await self.delay_for_all(budgets, burst)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)


@dataclass
class _Reserve:
    left: int = 0
    until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    recent: deque[float] = field(default_factory=deque)  # when requests asked, over the last second


class Reservations:
    """Requests counted in the shared budgets ahead of need, several in one Redis call, and spent here within
    `hold` seconds: a busy process asks Redis once per batch of requests instead of once per request. The batch
    follows demand (the requests of the last second, spread over `hold`), at most the budgets' burst, so an
    idle process reserves one at a time exactly as before, and an unspent reservation is at most `hold` old."""

    def __init__(self, limiter: RateLimiter, hold: float = 0.05, largest: int = 10) -> None:
        self._limiter = limiter
        self._hold = hold
        self._largest = largest
        self._reserves: dict[tuple[str, ...], _Reserve] = {}

    async def acquire_all(self, budgets: Sequence[tuple[str, float]], burst: int) -> None:
        reserve = self._reserves.setdefault(tuple(key for key, _ in budgets), _Reserve())
        now = time.monotonic()
        reserve.recent.append(now)
        while reserve.recent and reserve.recent[0] < now - 1.0:
            reserve.recent.popleft()
        async with reserve.lock:
            if reserve.left > 0 and time.monotonic() < reserve.until:
                reserve.left -= 1
                return
            want = min(burst, self._largest, max(1, int(len(reserve.recent) * self._hold) + 1))
            if want > 1 and await self._limiter.delay_for_each([(k, r, burst) for k, r in budgets], want) == 0:
                reserve.left, reserve.until = want - 1, time.monotonic() + self._hold
                return
            await self._limiter.acquire_all(budgets, burst)
