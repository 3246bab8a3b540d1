"""Thin arq adapters of delivery to Hellotext: a cron sweep asks for a lane job per business with deliveries
due, and the lane job delivers them (worker/delivery/lane.py).

A lane job is named after its business, so a business has at most one queued or running; worker/jobs/lanes.py
keeps two workers from running one lane and lets at most `MELI_HELLOTEXT_MAX_LANES` lanes deliver at once."""

from __future__ import annotations

from functools import partial
from typing import Any

from worker import redis_keys
from worker.clock import utcnow
from worker.delivery.lane import run_lane
from worker.jobs.deps import job_deps
from worker.jobs.lanes import ask_for_lanes, lane_slot
from worker.logs import get_logger
from worker.store.hellotext import lanes_due

log = get_logger(__name__)
DELIVER_LANE = "deliver_hellotext"
LANE_LEASE_SECONDS = 600


def lane_job_id(queue_name: str, business_id: int) -> str:
    """arq job ids are global to the Redis server: scoped by queue, so deployments sharing Redis never collide."""
    return redis_keys.hellotext_lane_job(queue_name, business_id)


async def deliver_hellotext(ctx: dict[str, Any], business_id: int) -> dict[str, int]:
    """Deliver a business's due events, unless its lane runs elsewhere or every lane slot is taken (the sweep
    asks again within seconds)."""
    deps = job_deps(ctx)
    config = deps.config
    lease = redis_keys.hellotext_lease(config.queue_name, business_id)
    slots = redis_keys.hellotext_lanes(config.queue_name)
    async with lane_slot(deps.app.redis, lease, slots, config.hellotext_max_lanes, LANE_LEASE_SECONDS) as mine:
        if not mine:
            return {}
        done = await run_lane(deps.app.db, deps.app.cipher, deps.http, deps.lanes, business_id)
    for outcome, count in done.items():
        deps.app.metrics.deliveries.labels(outcome).inc(count)
    if done:
        log.info("hellotext.lane.done", business_id=business_id, **done)
    return dict(done)


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    """Ask for a lane job for every business with deliveries due; returns how many were asked for."""
    deps = job_deps(ctx)
    due = await lanes_due(deps.app.db, utcnow())
    return await ask_for_lanes(deps.app.redis, DELIVER_LANE, due, partial(lane_job_id, deps.config.queue_name))
