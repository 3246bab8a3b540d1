"""The bulk lane of a worker process (worker/backfill/lane.py), built from the jobs' dependencies on first use."""

from __future__ import annotations

from typing import Any

from worker.backfill.lane import Bulk
from worker.jobs.deps import job_deps


def bulk_of(ctx: dict[str, Any]) -> Bulk:
    """The process's Bulk, built on first use from the arq context's job dependencies."""
    bulk = ctx.get("bulk")
    if bulk is None:
        deps = job_deps(ctx)
        bulk = Bulk(
            deps.app.db, deps.app.redis, deps.app.settings, deps.options, deps.http, deps.tokens, deps.app.metrics
        )
        ctx["bulk"] = bulk
    assert isinstance(bulk, Bulk)
    return bulk
