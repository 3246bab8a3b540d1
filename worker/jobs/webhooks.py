"""Thin arq adapters of outbound webhooks: a cron sweep asks for a job per business with messages due, and the
job sends them (worker/delivery/webhook_lane.py). A job is named after its business, so a business has at most
one queued or running; worker/jobs/lanes.py keeps two workers from sending a business's messages at once and lets
at most `MELI_HELLOTEXT_MAX_LANES` businesses' webhook jobs send at once (a pool apart from Hellotext's lanes)."""

from __future__ import annotations

from functools import partial
from typing import Any

from worker import redis_keys
from worker.clock import utcnow
from worker.delivery.webhook_lane import run_webhooks
from worker.jobs.deps import job_deps
from worker.jobs.lanes import ask_for_lanes, lane_slot
from worker.logs import get_logger
from worker.store.webhook_queue import webhook_lanes_due

log = get_logger(__name__)
DELIVER_WEBHOOKS = "deliver_webhooks"
WEBHOOK_LEASE_SECONDS = 120


async def deliver_webhooks(ctx: dict[str, Any], business_id: int) -> dict[str, int]:
    """Send a business's due messages, unless another worker does it now (the sweep asks again within seconds)."""
    deps = job_deps(ctx)
    config = deps.config
    lease = redis_keys.webhook_lease(config.queue_name, business_id)
    slots = redis_keys.webhook_lanes(config.queue_name)
    async with lane_slot(deps.app.redis, lease, slots, config.hellotext_max_lanes, WEBHOOK_LEASE_SECONDS) as mine:
        if not mine:
            return {}
        done = await run_webhooks(deps.app.db, deps.app.cipher, deps.webhook_http, deps.webhooks, business_id)
    for outcome, count in done.items():
        deps.app.metrics.webhook_messages.labels(outcome).inc(count)
    if done:
        log.info("webhook.lane.done", business_id=business_id, **done)
    return dict(done)


async def sweep_webhooks(ctx: dict[str, Any]) -> int:
    """Ask for a job for every business with messages due; returns how many were asked for."""
    deps = job_deps(ctx)
    due = await webhook_lanes_due(deps.app.db, utcnow())
    job_id = partial(redis_keys.webhook_lane_job, deps.config.queue_name)
    return await ask_for_lanes(deps.app.redis, DELIVER_WEBHOOKS, due, job_id)
