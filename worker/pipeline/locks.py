"""A Redis lock held for as long as its holder is alive: a short expiry, renewed while the work runs.

A killed worker's lock then frees within `ttl` seconds instead of blocking its resource for the longest job
a fixed expiry would have to allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from worker.logs import get_logger

log = get_logger(__name__)


@asynccontextmanager
async def held_lock(redis: Redis, key: str, ttl: float) -> AsyncIterator[Lock | None]:
    """Try once to take `key`; yields the held lock, or None when another holder has it. While held, the
    expiry is renewed every `ttl / 3`."""
    lock = redis.lock(key, timeout=ttl)
    if not await lock.acquire(blocking=False):
        yield None
        return
    try:
        async with kept_alive(lock, ttl):
            yield lock
    finally:
        try:
            await lock.release()
        except (LockError, RedisError):  # expired meanwhile (Redis away too long); the work is idempotent
            log.warning("lock.expired", key=key)


@asynccontextmanager
async def kept_alive(lock: Lock, ttl: float) -> AsyncIterator[None]:
    """Renew a held lock's `ttl` every `ttl / 3` while the block runs."""
    keeper = asyncio.create_task(_renew(lock, ttl))
    try:
        yield
    finally:
        keeper.cancel()
        # Not `suppress(CancelledError)` around `await keeper`: a cancel of this task that lands while it waits
        # for the keeper would be swallowed too, and a job asked to stop (Ctrl-C, shutdown) would go on.
        await asyncio.wait([keeper])


async def _renew(lock: Lock, ttl: float) -> None:
    while True:
        await asyncio.sleep(ttl / 3)
        try:
            await lock.extend(ttl, replace_ttl=True)
        except LockError:  # lost it: nothing left to renew
            return
        except (RedisError, OSError):  # Redis briefly away: try again at the next beat
            continue
