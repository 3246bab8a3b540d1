"""A request budget shared by every worker process: GCRA (a token bucket expressed as one timestamp) in Redis.

`acquire(key, rate, burst)` waits until one request under `key` fits the budget. The per-application budget and
the per-seller budgets are separate keys, so one busy seller cannot spend every other seller's share.
"""

from __future__ import annotations

import asyncio
from typing import Any

# KEYS[1] = bucket; ARGV = now, interval per request, burst tolerance, all in whole microseconds.
# Returns 0 when the request may go now, else the microseconds to wait before asking again.
_GCRA = """
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return allow_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now + tolerance) / 1000) + 1000)
return 0
"""


class RateLimiter:
    def __init__(self, redis: Any, prefix: str = "meli:rl") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA)

    async def delay_for(self, key: str, rate: float, burst: int = 1) -> float:
        """Seconds to wait before the next request under `key` (0 = go now, and it is counted)."""
        now_seconds, now_micros = await self._redis.time()
        now_us = int(now_seconds) * 1_000_000 + int(now_micros)
        interval = int(1_000_000 / rate)
        waited = await self._script(keys=[f"{self._prefix}:{key}"], args=[now_us, interval, interval * (burst - 1)])
        return float(waited) / 1_000_000

    async def acquire(self, key: str, rate: float, burst: int = 1) -> None:
        """Wait for a slot. Polling is the point here: the budget lives in Redis, shared across processes."""
        while (wait := await self.delay_for(key, rate, burst)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
