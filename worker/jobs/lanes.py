"""What keeps delivery lanes apart in Redis, for Hellotext and outbound webhooks alike: a lease per business, so
two workers never run one business's lane at once even when arq runs a job twice, and a bounded set of lanes
delivering now, so an outage of a destination never fills the worker's job slots that Mercado Libre
notifications need."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from arq.connections import ArqRedis
from redis.asyncio import Redis

RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# A slot among `limit`: expired slots (of dead workers) are dropped first; ARGV: now, expiry, limit, token.
TAKE_SLOT = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('zadd', KEYS[1], ARGV[2], ARGV[4])
return 1
"""


@asynccontextmanager
async def lane_slot(redis: Redis, lease: str, slots: str, limit: int, seconds: int) -> AsyncIterator[bool]:
    """True while this worker holds the business's `lease` and one of the `limit` slots in `slots`, both for at
    most `seconds`; False when the lane runs elsewhere or every slot is taken (the sweep asks again soon)."""
    token, now = secrets.token_hex(8), time.time()
    if not await redis.set(lease, token, nx=True, ex=seconds):
        yield False
        return
    try:
        if not await redis.eval(TAKE_SLOT, 1, slots, str(now), str(now + seconds), str(limit), token):  # type: ignore[misc]
            yield False
            return
        try:
            yield True
        finally:
            await redis.zrem(slots, token)
    finally:
        await redis.eval(RELEASE, 1, lease, token)  # type: ignore[misc]


async def ask_for_lanes(
    redis: ArqRedis, function: str, business_ids: Iterable[int], job_id: Callable[[int], str]
) -> int:
    """Queue the lane job `function` of each business, named after it so a business has at most one queued or
    running (arq refuses an id in use); returns how many were queued."""
    asked = 0
    for business_id in business_ids:
        asked += await redis.enqueue_job(function, business_id, _job_id=job_id(business_id)) is not None
    return asked
