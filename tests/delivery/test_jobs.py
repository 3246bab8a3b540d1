"""The arq side of delivery: the sweep asks for one lane job per business with deliveries due, a lane job
delivers, and a lane already running elsewhere is left alone."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from tests.conftest import _truncate
from tests.delivery.conftest import Shop, open_shop
from tests.hellotext.conftest import TOKEN, FakeHellotext, fake_hellotext, http  # noqa: F401
from worker.jobs.delivery import deliver_hellotext, lane_job_id, sweep_deliveries
from worker.jobs.deps import JobDeps, build_deps, close_deps
from worker.settings import Settings


@pytest.fixture
async def deps(settings: Settings, fake_hellotext: FakeHellotext) -> AsyncIterator[JobDeps]:  # noqa: F811
    built = build_deps(settings.model_copy(update={"hellotext_api_base_url": fake_hellotext.url}))
    await _truncate(built.app.db)
    yield built
    await built.app.redis.delete(built.app.settings.queue_name)
    await close_deps(built)


@pytest.fixture
async def job_shop(deps: JobDeps, fake_hellotext: FakeHellotext, http: aiohttp.ClientSession) -> Shop:  # noqa: F811
    return await open_shop(deps.app.db, fake_hellotext, http, "Tienda Uno", TOKEN, deps.app.cipher)


async def test_the_sweep_asks_once_per_business_and_the_lane_job_delivers(deps: JobDeps, job_shop: Shop) -> None:
    ctx: dict[str, Any] = {"deps": deps}
    await job_shop.order("2000001", "order.confirmed", "order.shipped")

    assert await sweep_deliveries(ctx) == 1
    assert await sweep_deliveries(ctx) == 0  # the lane job is already queued
    queued = await deps.app.redis.zrange(deps.app.settings.queue_name, 0, -1)
    assert queued == [lane_job_id(deps.app.settings.queue_name, job_shop.business_id).encode()]

    assert await deliver_hellotext(ctx, job_shop.business_id) == {"delivered": 2}
    assert len(job_shop.sent()) == 2


async def test_a_lane_leased_by_another_worker_is_left_alone(deps: JobDeps, job_shop: Shop) -> None:
    ctx: dict[str, Any] = {"deps": deps}
    await job_shop.order("2000001", "order.confirmed")
    lease = f"{deps.app.settings.queue_name}:hellotext-lease:{job_shop.business_id}"
    await deps.app.redis.set(lease, "another-worker", ex=60)
    assert await deliver_hellotext(ctx, job_shop.business_id) == {}
    await deps.app.redis.delete(lease)
    assert await deliver_hellotext(ctx, job_shop.business_id) == {"delivered": 1}


async def test_no_more_lanes_deliver_at_once_than_allowed(deps: JobDeps, job_shop: Shop) -> None:
    deps.config = replace(deps.config, hellotext_max_lanes=1)
    ctx: dict[str, Any] = {"deps": deps}
    await job_shop.order("2000001", "order.confirmed")
    slots = f"{deps.app.settings.queue_name}:hellotext-lanes"
    await deps.app.redis.zadd(slots, {"another-business": time.time() + 60})
    assert await deliver_hellotext(ctx, job_shop.business_id) == {}
    await deps.app.redis.zadd(slots, {"another-business": time.time() - 1})  # its worker died: the slot expired
    assert await deliver_hellotext(ctx, job_shop.business_id) == {"delivered": 1}
    assert await deps.app.redis.zcard(slots) == 0
