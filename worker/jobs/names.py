"""Job names and ids shared by the web process (which enqueues) and the worker (which runs)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job

PROCESS_NOTIFICATION = "process_notification"


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


# What arq's enqueue_job does for one job (refuse a known job or result key, store the job, add it to the queue),
# for many jobs in one round trip. KEYS[1] = queue; ARGV = score, expiry ms, then (job id, payload) pairs.
_ENQUEUE_MANY = """
local queued = 0
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('EXISTS', KEYS[2] .. id, KEYS[3] .. id) == 0 then
    redis.call('PSETEX', KEYS[2] .. id, ARGV[2], ARGV[i + 1])
    redis.call('ZADD', KEYS[1], ARGV[1], id)
    queued = queued + 1
  end
end
return queued
"""


async def enqueue_notifications(redis: ArqRedis, inbox_ids: Sequence[int]) -> int:
    """Queue the jobs of many fresh inbox rows at once (the webhook's batch); returns how many were new."""
    if not inbox_ids:
        return 0
    now_ms = int(time.time() * 1000)
    args: list[Any] = [now_ms, expires_extra_ms]
    for inbox_id in inbox_ids:
        job_id = notification_job_id(redis.default_queue_name, inbox_id)
        args += [job_id, serialize_job(PROCESS_NOTIFICATION, (inbox_id,), {}, None, now_ms)]
    keys = [redis.default_queue_name, job_key_prefix, result_key_prefix]
    queued = await redis.eval(_ENQUEUE_MANY, len(keys), *keys, *args)  # type: ignore[misc]
    return int(queued)
