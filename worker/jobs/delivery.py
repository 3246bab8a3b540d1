"""Thin arq adapters of delivery to Hellotext: a cron sweep asks for a lane job per business with deliveries
due, and the lane job delivers them (worker/delivery/lane.py).

A lane job is named after its business, so a business has at most one queued or running; a Redis lease makes
sure two workers never run the same lane at once even when arq runs a job twice."""

from __future__ import annotations

import secrets
from typing import Any

from worker import redis_keys
from worker.delivery.lane import LaneOptions, run_lane
from worker.jobs.deps import job_deps
from worker.logs import get_logger
from worker.store.hellotext import lanes_due
from worker.store.models import utcnow

log = get_logger(__name__)
DELIVER_LANE = "deliver_hellotext"
LANE_LEASE_SECONDS = 600
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def lane_job_id(queue_name: str, business_id: int) -> str:
    """arq job ids are global to the Redis server: scoped by queue, so deployments sharing Redis never collide."""
    return redis_keys.scoped(queue_name, "hellotext-lane", business_id)


async def deliver_hellotext(ctx: dict[str, Any], business_id: int) -> dict[str, int]:
    deps = job_deps(ctx)
    settings, redis = deps.app.settings, deps.app.redis
    key, token = redis_keys.scoped(settings.queue_name, "hellotext-lease", business_id), secrets.token_hex(8)
    if not await redis.set(key, token, nx=True, ex=LANE_LEASE_SECONDS):
        return {}
    try:
        options = LaneOptions(
            settings.hellotext_api_base_url, settings.hellotext_timeout_seconds, settings.hellotext_lane_batch
        )
        done = await run_lane(deps.app.db, deps.app.cipher, deps.http, options, business_id)
    finally:
        await redis.eval(RELEASE, 1, key, token)  # type: ignore[misc]
    if done:
        log.info("hellotext.lane.done", business_id=business_id, **done)
    return dict(done)


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    """Ask for a lane job for every business with deliveries due; returns how many were asked for."""
    deps = job_deps(ctx)
    queue, asked = deps.app.settings.queue_name, 0
    for business_id in await lanes_due(deps.app.db, utcnow()):
        job = await deps.app.redis.enqueue_job(DELIVER_LANE, business_id, _job_id=lane_job_id(queue, business_id))
        asked += job is not None
    return asked
