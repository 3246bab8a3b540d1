"""A request budget shared by every worker process: GCRA (a token bucket expressed as one timestamp) in Redis.

`acquire(key, rate, burst)` waits until one request fits the budget, in one Redis call per attempt (Redis
supplies the clock); `acquire_all` waits for several budgets and takes them together. The per-application budget and the
per-seller budgets are separate keys, so one busy seller cannot spend every other seller's share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

# KEYS = buckets; ARGV = (interval, burst tolerance) per bucket, in whole microseconds. Counts the request in
# every bucket and returns 0 when all allow it now; otherwise counts nothing and returns the microseconds to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait, tats = 0, {}
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local allow_at = tat - tonumber(ARGV[2 * i])
  if allow_at - now > wait then wait = allow_at - now end
  tats[i] = tat
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local new_tat = tats[i] + tonumber(ARGV[2 * i - 1])
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

    async def delay_for_each(self, budgets: Sequence[tuple[str, float, int]]) -> float:
        """`delay_for_all` with a burst per budget: (key, rate, burst). Counted in all of them or in none."""
        keys, args = [], []
        for key, rate, burst in budgets:
            interval = int(1_000_000 / rate)
            keys.append(f"{self._prefix}:{key}")
            args += [interval, interval * (burst - 1)]
        waited = await self._script(keys=keys, args=args)
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
