"""A request budget shared by every worker process: GCRA (a token bucket expressed as one timestamp) in Redis.

`acquire(key, rate, burst)` waits until one request fits the budget, in one Redis call per attempt (Redis
supplies the clock); `acquire_all` waits for several budgets and takes them together; `take` grants as many of
several requests as fit now, in one call. The per-application budget and the
per-seller budgets are separate keys, so one busy seller cannot spend every other seller's share.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# KEYS = buckets; ARGV = (interval, burst tolerance) per bucket, in whole microseconds, then how many requests
# are wanted. Grants as many of them as every bucket allows now (at least one, at most the number wanted) and
# counts them in every bucket: returns {granted, 0}; when not even one fits, counts nothing and returns
# {0, microseconds to wait}.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local grant, wait, tats = tonumber(ARGV[#ARGV]), 0, {}
for i, key in ipairs(KEYS) do
  local interval, tolerance = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local fits = math.floor((now + tolerance - tat) / interval) + 1
  if fits < grant then grant = fits end
  if tat - tolerance - now > wait then wait = tat - tolerance - now end
  tats[i] = tat
end
if grant < 1 then return {0, wait} end
for i, key in ipairs(KEYS) do
  local new_tat = tats[i] + grant * tonumber(ARGV[2 * i - 1])
  local ttl_ms = math.ceil((new_tat - now + tonumber(ARGV[2 * i])) / 1000) + 1000
  redis.call('SET', key, string.format('%d', new_tat), 'PX', ttl_ms)
end
return {grant, 0}
"""


class RateLimiter:
    def __init__(self, redis: Any, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA)

    async def take(self, budgets: Sequence[tuple[str, float, int]], count: int = 1) -> tuple[int, float]:
        """Up to `count` requests under every budget ((key, rate per second, burst) each), in one Redis call:
        (how many were granted and counted in all of them, 0) or, when not even one fits now, (0, seconds to
        wait before one does)."""
        keys, args = [], []
        for key, rate, burst in budgets:
            interval = int(1_000_000 / rate)
            keys.append(f"{self._prefix}:{key}")
            args += [interval, interval * (burst - 1)]
        granted, waited = await self._script(keys=keys, args=[*args, count])
        return int(granted), float(waited) / 1_000_000

    async def delay_for_each(self, budgets: Sequence[tuple[str, float, int]]) -> float:
        """Seconds to wait before the next request under every budget (0 = go now, and it is counted in all of
        them; otherwise in none)."""
        granted, wait = await self.take(budgets)
        return 0.0 if granted else max(wait, 1e-6)

    async def acquire(self, key: str, rate: float, burst: int = 1) -> None:
        """Wait for a slot in one budget."""
        await self.acquire_all([(key, rate)], burst)

    async def acquire_all(self, budgets: Sequence[tuple[str, float]], burst: int = 1) -> None:
        """Wait until every budget has a slot, then take them all at once (one Redis call per attempt). Polling is
        the point: the budgets live in Redis, shared across processes."""
        each = [(key, rate, burst) for key, rate in budgets]
        while (wait := await self.delay_for_each(each)) > 0:  # noqa: ASYNC110
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
            if want == 1:
                await self._limiter.acquire_all(budgets, burst)
                return
            while True:  # as many as fit now, one at least
                granted, wait = await self._limiter.take([(k, r, burst) for k, r in budgets], want)
                if granted:
                    reserve.left, reserve.until = granted - 1, time.monotonic() + self._hold
                    return
                await asyncio.sleep(wait)
