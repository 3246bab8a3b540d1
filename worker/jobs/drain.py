"""The arq job behind a seller's notifications: `drain_seller` (worker/pipeline/drain.py does the work)."""

from __future__ import annotations

import time
from typing import Any

from arq import Retry

from worker.errors import Unavailable
from worker.jobs.deps import job_deps
from worker.jobs.outcomes import JobOutcome
from worker.logs import get_logger
from worker.pipeline.drain import drain_seller as drain
from worker.pipeline.queue import DRAIN_SELLER
from worker.pipeline.reactions import backoff

log = get_logger(__name__)


async def drain_seller(ctx: dict[str, Any], account_id: int) -> str:
    deps = job_deps(ctx)
    started = time.perf_counter()
    try:
        report = await drain(deps.pipeline, account_id)
    except Unavailable as exc:  # database or Redis away: the rows stay as they were; try again soon
        job_try = int(ctx.get("job_try", 1))
        log.warning("ml.drain.unavailable", account_id=account_id, error=str(exc), job_try=job_try)
        raise Retry(defer=backoff(job_try)) from None
    outcome = JobOutcome.BUSY if report.busy else JobOutcome.DONE  # busy: another worker holds the seller's drain
    deps.app.metrics.jobs.labels(DRAIN_SELLER, outcome).observe(time.perf_counter() - started)
    if report.busy:
        return outcome
    log.info("ml.drain.done", account_id=account_id, batches=report.batches, rows=report.rows, **report.outcomes)
    return outcome
