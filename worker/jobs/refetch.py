"""The arq side of refetches (worker/pipeline/refetch.py): the job, and the sweep that queues due gaps."""

from __future__ import annotations

from typing import Any

from worker.jobs.deps import job_deps
from worker.pipeline.queue import enqueue_refetch
from worker.pipeline.refetch import policy_of, refetch
from worker.store.refetch import due_gaps


async def refetch_order(ctx: dict[str, Any], gap_id: int) -> str:
    return await refetch(job_deps(ctx).pipeline, gap_id)


async def sweep_refetches(ctx: dict[str, Any]) -> int:
    """Queue a job for every gap that is due (job ids name the attempt: one job per gap and attempt)."""
    p = job_deps(ctx).pipeline
    queued = 0
    for gap in await due_gaps(p.db, policy_of(p).max_attempts):
        queued += await enqueue_refetch(p.redis, gap.id, gap.attempts)
    return queued
