"""Job names and ids shared by the web process (which enqueues) and the worker (which runs)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix

PROCESS_NOTIFICATION = "process_notification"
REFETCH_ORDER = "refetch_order"
CATCH_UP = "catch_up_seller"


def notification_job_id(queue_name: str, inbox_id: int, attempts: int = 0, tag: str = "") -> str:
    """arq refuses a job id while its job *or its result* exists, so the id names the deployment's queue (ids
    restart in another database), the row's attempt count (a parked row queued again is a new job) and, for a
    follow-up queued by another job, that job (`tag`)."""
    return f"{queue_name}:inbox:{inbox_id}:{attempts}{':' + tag if tag else ''}"


async def enqueue_notification(
    redis: ArqRedis, inbox_id: int, attempts: int = 0, *, defer: float | None = None, tag: str = ""
) -> bool:
    """Queue the job of one inbox row; False when that job is already queued or has just run."""
    job_id = notification_job_id(redis.default_queue_name, inbox_id, attempts, tag)
    job = await redis.enqueue_job(PROCESS_NOTIFICATION, inbox_id, _job_id=job_id, _defer_by=defer)
    return job is not None


def catchup_slot(interval: float, at: float | None = None) -> int:
    """The catch-up interval a moment falls in (intervals of `interval` seconds since the epoch)."""
    return int((time.time() if at is None else at) // interval)


def catchup_job_id(queue_name: str, account_id: int, slot: int) -> str:
    """One catch-up per seller and interval: later throttled rows of the same interval share it."""
    return f"{queue_name}:catchup:{account_id}:{slot}"


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
    worker, and the webhook's script below can write jobs itself. Results that are not JSON become text."""
    return json.dumps(data, default=str, separators=(",", ":")).encode()


def deserialize(raw: bytes | str) -> Any:
    return json.loads(raw)


# What arq's enqueue_job does for one job (refuse a known job or result key, store the job, add it to the queue),
# for many rows in one round trip, the job written here rather than serialized per row by the caller.
# KEYS = queue, job key prefix, result key prefix; ARGV = enqueue time (ms), expiry (ms), job id prefix, row ids
# separated by spaces (one argument: the client encodes one string, not one per row).
_ENQUEUE_MANY = """
local queued = 0
for row in string.gmatch(ARGV[4], '%d+') do
  local id = ARGV[3] .. row .. ':0'
  if redis.call('EXISTS', KEYS[2] .. id, KEYS[3] .. id) == 0 then
    local job = '{"t":null,"f":"PROCESS_NOTIFICATION","a":[' .. row .. '],"k":{},"et":' .. ARGV[1] .. '}'
    redis.call('PSETEX', KEYS[2] .. id, ARGV[2], job)
    redis.call('ZADD', KEYS[1], ARGV[1], id)
    queued = queued + 1
  end
end
return queued
""".replace("PROCESS_NOTIFICATION", PROCESS_NOTIFICATION)


async def enqueue_notifications(redis: ArqRedis, inbox_ids: Sequence[int]) -> int:
    """Queue the jobs of many fresh inbox rows at once (the webhook's batch); returns how many were new.
    The same jobs as `enqueue_notification(redis, id)` queues one at a time."""
    if not inbox_ids:
        return 0
    id_prefix = notification_job_id(redis.default_queue_name, 0).removesuffix("0:0")
    args: list[Any] = [int(time.time() * 1000), expires_extra_ms, id_prefix, " ".join(map(str, inbox_ids))]
    keys = [redis.default_queue_name, job_key_prefix, result_key_prefix]
    queued = await redis.eval(_ENQUEUE_MANY, len(keys), *keys, *args)  # type: ignore[misc]
    return int(queued)
