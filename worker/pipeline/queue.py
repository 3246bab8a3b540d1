"""Job names, job ids and how jobs are queued, shared by the web process (which asks) and the worker (which runs).
arq is reached only through its public API (`ArqRedis.enqueue_job`).

Notifications are worked per seller: the webhook records rows and asks for a drain of their seller; one drain
job at a time empties a seller's due rows (worker/pipeline/drain.py). A request sets the seller's drain flag
only if it is not set (`SET NX`) and queues a job only then, so a burst of notifications costs one Redis round
trip per webhook batch and one job per drain. It also sets the seller's news key, which tells a working drain
that rows came (so it reads the inbox only then, not on every poll). A drain clears the flag before its last
look at the inbox: a row committed after that look sets it again and gets a job; one committed before it is
taken by that look.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus

from worker import redis_keys

DRAIN_SELLER = "drain_seller"
REFETCH_ORDER = "refetch_order"
CATCH_UP = "catch_up_seller"
FLAG_SECONDS = 15  # a working drain renews its flag; a dead one's expires, and the sweeper asks again


def drain_job_id(queue_name: str, account_id: int, token: str) -> str:
    """Unique per request (arq refuses an id while its job or result exists)."""
    return redis_keys.drain_job(queue_name, account_id, token)


async def request_drains(redis: ArqRedis, account_ids: Iterable[int]) -> int:
    """Ask for a drain of each seller that has none asked for yet; returns how many jobs were queued."""
    queue = redis.default_queue_name
    sellers = sorted(set(account_ids))
    if not sellers:
        return 0
    tokens = [uuid.uuid4().hex[:12] for _ in sellers]
    async with redis.pipeline(transaction=False) as pipe:
        for account_id, token in zip(sellers, tokens, strict=True):
            pipe.set(redis_keys.drain_news(queue, account_id), 1, ex=FLAG_SECONDS)
            pipe.set(redis_keys.drain_flag(queue, account_id), token, nx=True, ex=FLAG_SECONDS)
        fresh = (await pipe.execute())[1::2]
    queued = 0
    for account_id, token, was_set in zip(sellers, tokens, fresh, strict=True):
        if was_set:
            job = await redis.enqueue_job(DRAIN_SELLER, account_id, _job_id=drain_job_id(queue, account_id, token))
            queued += job is not None
    return queued


async def follow_up_drain(redis: ArqRedis, account_id: int, defer: float | None = None) -> None:
    """Queue another drain whatever the flag says (a drain that stops with rows left behind, or rows that become
    due later); the flag is set to it so requests meanwhile join it. A deferred one is named by the second it is
    due at, so drains that find the same rows waiting queue it once (arq refuses an id it holds)."""
    queue = redis.default_queue_name
    token = f"at{int(time.time() + defer)}" if defer else uuid.uuid4().hex[:12]
    await redis.set(redis_keys.drain_flag(queue, account_id), token, ex=FLAG_SECONDS + int(defer or 0))
    await redis.enqueue_job(DRAIN_SELLER, account_id, _job_id=drain_job_id(queue, account_id, token), _defer_by=defer)


def refetch_job_id(queue_name: str, gap_id: int, attempt: int) -> str:
    """One job per gap and attempt."""
    return redis_keys.refetch_job(queue_name, gap_id, attempt)


async def enqueue_refetch(redis: ArqRedis, gap_id: int, attempt: int) -> bool:
    job_id = refetch_job_id(redis.default_queue_name, gap_id, attempt)
    return await redis.enqueue_job(REFETCH_ORDER, gap_id, _job_id=job_id) is not None


def catchup_slot(interval: float, at: float | None = None) -> int:
    """The catch-up interval a moment falls in (intervals of `interval` seconds since the epoch)."""
    return int((time.time() if at is None else at) // interval)


def catchup_job_id(queue_name: str, account_id: int, slot: int) -> str:
    """One catch-up per seller and interval: later throttled rows of the same interval share it."""
    return redis_keys.catchup_job(queue_name, account_id, slot)


async def enqueue_catchup(redis: ArqRedis, account_id: int, interval: float, slot: int | None = None) -> bool:
    """Queue the catch-up re-sync of a seller's throttled rows for the start of interval `slot` (now when it
    has begun; the current interval by default); False when that catch-up is already queued."""
    slot = catchup_slot(interval) if slot is None else slot
    defer = max(0.0, slot * interval - time.time())
    job_id = catchup_job_id(redis.default_queue_name, account_id, slot)
    job = await redis.enqueue_job(CATCH_UP, account_id, _job_id=job_id, _defer_by=defer or None)
    return job is not None


def serialize(data: Any) -> bytes:
    """arq's job and result encoding: JSON rather than pickle, so nothing read from Redis can run code in a
    worker. Results that are not JSON become text."""
    return json.dumps(data, default=str, separators=(",", ":")).encode()


def deserialize(raw: bytes | str) -> Any:
    return json.loads(raw)


async def queue_depth(redis: ArqRedis, now: float | None = None) -> tuple[int, int]:
    """How many jobs wait in the queue (deferred ones included) and how many of them may start by `now` (arq keeps
    its queue as a sorted set scored by each job's start time in milliseconds)."""
    queue, until = redis.default_queue_name, int((time.time() if now is None else now) * 1000)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(queue)
        pipe.zcount(queue, "-inf", until)
        queued, ready = await pipe.execute()
    return int(queued), int(ready)


async def queued_work(redis: ArqRedis) -> int:
    """Jobs in the queue other than cron jobs (arq queues a cron job up to a second before it is due)."""
    jobs = await redis.zrange(redis.default_queue_name, 0, -1)
    crons = redis_keys.cron_jobs(redis.default_queue_name).encode()
    return sum(1 for job in jobs if not job.startswith(crons))


async def job_pending(redis: ArqRedis, job_id: str) -> bool:
    """Whether a job with this id is queued, deferred or running (arq's public `Job.status`)."""
    status = await Job(job_id, redis, _queue_name=redis.default_queue_name).status()
    return status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress)
