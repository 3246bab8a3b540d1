"""Two deployments on one Redis keep apart: every key and job id derives from the queue name in
worker/redis_keys.py (the ML request budget alone is shared, per ML application, on purpose)."""

from __future__ import annotations

import ast
import inspect
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.architecture.graph import product_sources
from worker import redis_keys
from worker.connect.state import OAuthStates
from worker.context import AppContext, app_context
from worker.jobs.runtime import build_worker
from worker.pipeline.locks import held_lock
from worker.pipeline.queue import enqueue_catchup, queued_work, request_drains
from worker.settings import Settings
from worker.web.app import web_options
from worker.web.limits import Limits

SHARED_ON_PURPOSE = {"rate_limits"}
SAMPLE_ARGUMENTS = {"int": 7, "str": "x"}


def _key_functions() -> dict[str, Callable[..., str]]:
    return {
        name: function
        for name, function in inspect.getmembers(redis_keys, inspect.isfunction)
        if function.__module__ == redis_keys.__name__ and name not in SHARED_ON_PURPOSE
    }


def _call(function: Callable[..., str], queue_name: str) -> str:
    parameters = list(inspect.signature(function).parameters.values())[1:]
    arguments: list[Any] = [SAMPLE_ARGUMENTS.get(str(p.annotation), "part") for p in parameters]
    return function(queue_name, *arguments)


def test_every_key_starts_with_the_queue_name() -> None:
    keys = {name: _call(function, "queue-a") for name, function in _key_functions().items()}
    assert {name for name, key in keys.items() if not key.startswith("queue-a:")} == set()
    assert len(keys) >= 20


def test_no_key_is_built_outside_redis_keys() -> None:
    """No module of worker/ calls `scoped` itself or writes a key as f"{queue or prefix}:..."."""
    found = []
    for module, source in product_sources().items():
        if not module.startswith("worker.") or module == redis_keys.__name__:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr == "scoped":
                found.append(f"{module}:{node.lineno} calls scoped")
            if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.FormattedValue):
                head = ast.unparse(node.values[0].value)
                if any(word in head for word in ("queue", "namespace", "prefix")):
                    found.append(f"{module}:{node.lineno} builds {ast.unparse(node)}")
    assert found == []


@pytest.fixture
async def two(settings: Settings) -> AsyncIterator[tuple[AppContext, AppContext]]:
    """Deployments A and B: the same Redis and database, different queue names."""
    other = settings.model_copy(update={"queue_name": settings.queue_name + ":other"})
    async with app_context(settings) as a, app_context(other) as b:
        try:
            yield a, b
        finally:
            keys = [key async for key in a.redis.scan_iter(match=f"*{settings.queue_name}*")]
            if keys:
                await a.redis.delete(*keys)


async def test_a_lock_of_one_deployment_does_not_block_the_other(two: tuple[AppContext, AppContext]) -> None:
    a, b = two
    for name in ("drain_lock", "catchup_lock", "backfill_lock", "bulk_slot", "token_lock"):
        function = getattr(redis_keys, name)
        key_a, key_b = function(a.settings.queue_name, 7), function(b.settings.queue_name, 7)
        async with held_lock(a.redis, key_a, 10) as held_by_a:
            async with held_lock(a.redis, key_a, 10) as again_by_a, held_lock(b.redis, key_b, 10) as held_by_b:
                assert (name, held_by_a is not None, again_by_a, held_by_b is not None) == (name, True, None, True)


async def test_a_drain_flag_of_one_deployment_does_not_hold_back_the_other(
    two: tuple[AppContext, AppContext],
) -> None:
    a, b = two
    assert await request_drains(a.redis, [7]) == 1
    assert await request_drains(a.redis, [7]) == 0  # A's drain is asked for: A's next request joins it
    assert await request_drains(b.redis, [7]) == 1


async def test_a_queued_catchup_of_one_deployment_does_not_collapse_the_other(
    two: tuple[AppContext, AppContext],
) -> None:
    a, b = two
    assert await enqueue_catchup(a.redis, 7, interval=60, slot=1) is True
    assert await enqueue_catchup(a.redis, 7, interval=60, slot=1) is False
    assert await enqueue_catchup(b.redis, 7, interval=60, slot=1) is True


async def test_a_sign_in_started_on_one_deployment_is_unknown_to_the_other(
    two: tuple[AppContext, AppContext],
) -> None:
    a, b = two
    started = await OAuthStates(a.redis, a.settings.queue_name).begin(1, "MLA", "browser")

    assert await OAuthStates(b.redis, b.settings.queue_name).consume(started.state) is None
    assert await OAuthStates(a.redis, a.settings.queue_name).consume(started.state) is not None


async def test_api_key_failures_on_one_deployment_do_not_block_the_other(two: tuple[AppContext, AppContext]) -> None:
    a, b = two
    limits_a = Limits(a.redis, a.settings.queue_name, web_options(a.settings).limits)
    limits_b = Limits(b.redis, b.settings.queue_name, web_options(b.settings).limits)
    for _ in range(a.settings.api_auth_failures_per_minute):
        await limits_a.api_failed("192.0.2.1")

    assert await limits_a.api_blocked("192.0.2.1") is not None
    assert await limits_b.api_blocked("192.0.2.1") is None


async def test_the_heartbeat_of_one_deployment_is_not_the_other_s(two: tuple[AppContext, AppContext]) -> None:
    a, b = two
    await a.redis.set(redis_keys.heartbeat(a.settings.queue_name), "1", ex=60)
    assert await b.redis.get(redis_keys.heartbeat(b.settings.queue_name)) is None


async def test_both_deployments_queue_every_tick_of_their_crons(two: tuple[AppContext, AppContext]) -> None:
    """arq names a unique cron's job after the cron and its due time; with arq's default names the deployment
    that queued a tick first would take it from the other, whose sweeps and refreshes would then never run."""
    a, b = two
    due = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)  # every cron's tick at 10:00:00 (those due then)
    queued = {}
    for context in (a, b):
        worker = build_worker(context.settings, handle_signals=False)
        worker._pool = context.redis  # run_cron queues through the worker's pool (arq pinned in constraints.txt)
        for job in worker.cron_jobs:
            job.next_run = due
        await worker.run_cron(due, delay=0.5)
        queued[context.settings.queue_name] = sorted(
            job.decode().removeprefix(context.settings.queue_name)
            for job in await context.redis.zrange(context.settings.queue_name, 0, -1)
        )

    expected = sorted(f":cron:{job.coroutine.__qualname__}:{int(due.timestamp() * 1000)}" for job in worker.cron_jobs)
    assert queued == {a.settings.queue_name: expected, b.settings.queue_name: expected}
    assert await queued_work(a.redis) == 0  # cron jobs are not counted as work waiting
