"""The bulk lane of a worker process (worker/backfill/lane.py), built once at startup with the job dependencies."""

from __future__ import annotations

from typing import Any

from worker.backfill.lane import Bulk
from worker.jobs.deps import job_deps


def bulk_of(ctx: dict[str, Any]) -> Bulk:
    """The process's Bulk."""
    return job_deps(ctx).bulk
