"""Job names and ids shared by the web process (which enqueues) and the worker (which runs)."""

from __future__ import annotations

from arq.connections import ArqRedis

PROCESS_NOTIFICATION = "process_notification"


def notification_job_id(queue_name: str, inbox_id: int, attempts: int = 0) -> str:
    """arq refuses a job id while its job *or its result* exists, so the id names the deployment's queue (ids
    restart in another database) and the row's attempt count (a parked row queued again is a new job)."""
    return f"{queue_name}:inbox:{inbox_id}:{attempts}"


async def enqueue_notification(
    redis: ArqRedis, inbox_id: int, attempts: int = 0, *, defer: float | None = None
) -> bool:
    """Queue the job of one inbox row; False when that job is already queued or has just run."""
    job_id = notification_job_id(redis.default_queue_name, inbox_id, attempts)
    job = await redis.enqueue_job(PROCESS_NOTIFICATION, inbox_id, _job_id=job_id, _defer_by=defer)
    return job is not None
