"""The arq side of outbound webhooks: the sweep asks for one job per business with messages due, the job sends
them through the worker's own session (also inside the real arq worker), and a business sent to by another
worker is left alone."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from tests.conftest import _truncate
from tests.delivery.receiver import Receiver, receiver  # noqa: F401
from tests.delivery.test_webhooks import store, verified
from tests.harness.shop import open_shop, paid_order
from worker import redis_keys
from worker.delivery.gauges import refresh_delivery_gauges
from worker.delivery.signing import new_secret
from worker.jobs.deps import JobDeps, build_deps, close_deps
from worker.jobs.runtime import build_worker
from worker.jobs.webhooks import deliver_webhooks, sweep_webhooks
from worker.settings import Settings
from worker.store.webhooks import add_endpoint

NOW = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
async def deps(settings: Settings) -> AsyncIterator[JobDeps]:
    built = build_deps(settings.model_copy(update={"outbound_webhooks_allow_local": True}))
    await _truncate(built.app.db)
    yield built
    await built.app.redis.delete(built.app.settings.queue_name)
    await close_deps(built)


async def test_the_sweep_asks_once_per_business_and_the_job_sends(deps: JobDeps, receiver: Receiver) -> None:  # noqa: F811
    ctx: dict[str, Any] = {"deps": deps}
    db, queue = deps.app.db, deps.app.settings.queue_name
    shop = await open_shop(db, order=paid_order())
    secret = new_secret()
    await add_endpoint(db, deps.app.cipher, shop.business_id, receiver.url("/a"), secret)
    await store(db, shop, "k1", "k2")

    assert await sweep_webhooks(ctx) == 1
    assert await sweep_webhooks(ctx) == 0  # the job is already queued
    queued = await deps.app.redis.zrange(queue, 0, -1)
    assert queued == [redis_keys.webhook_lane_job(queue, shop.business_id).encode()]

    lease = redis_keys.webhook_lease(queue, shop.business_id)
    await deps.app.redis.set(lease, "another-worker", ex=60)
    assert await deliver_webhooks(ctx, shop.business_id) == {}
    await deps.app.redis.delete(lease)
    assert await deliver_webhooks(ctx, shop.business_id) == {"delivered": 2}
    assert [body["type"] for body in verified(secret, receiver.on("/a"))] == ["order.confirmed", "order.shipped"]
    assert await deps.app.redis.get(lease) is None


async def test_no_more_webhook_jobs_send_at_once_than_allowed(deps: JobDeps, receiver: Receiver) -> None:  # noqa: F811
    deps.config = replace(deps.config, hellotext_max_lanes=1)
    ctx: dict[str, Any] = {"deps": deps}
    shop = await open_shop(deps.app.db, order=paid_order())
    await add_endpoint(deps.app.db, deps.app.cipher, shop.business_id, receiver.url("/a"), new_secret())
    await store(deps.app.db, shop, "k1")
    slots = redis_keys.webhook_lanes(deps.config.queue_name)
    await deps.app.redis.zadd(
        redis_keys.hellotext_lanes(deps.config.queue_name), {"a-hellotext-lane": time.time() + 60}
    )
    await deps.app.redis.zadd(slots, {"another-business": time.time() + 60})
    assert await deliver_webhooks(ctx, shop.business_id) == {}  # Hellotext's lanes are a pool apart
    await deps.app.redis.zadd(slots, {"another-business": time.time() - 1})  # its worker died: the slot expired
    assert await deliver_webhooks(ctx, shop.business_id) == {"delivered": 1}
    assert await deps.app.redis.zcard(slots) == 0


async def test_the_worker_refuses_local_addresses_unless_allowed(settings: Settings, receiver: Receiver) -> None:  # noqa: F811
    built = build_deps(settings)
    try:
        await _truncate(built.app.db)
        shop = await open_shop(built.app.db, order=paid_order())
        await add_endpoint(built.app.db, built.app.cipher, shop.business_id, receiver.url("/a"), new_secret())
        await store(built.app.db, shop, "k1")
        assert await deliver_webhooks({"deps": built}, shop.business_id) == {"failed": 1}
        assert receiver.received == []
    finally:
        await close_deps(built)


async def test_the_arq_worker_runs_the_job_the_sweep_asked_for(deps: JobDeps, receiver: Receiver) -> None:  # noqa: F811
    db = deps.app.db
    shop = await open_shop(db, order=paid_order())
    secret = new_secret()
    await add_endpoint(db, deps.app.cipher, shop.business_id, receiver.url("/a"), secret)
    await store(db, shop, "k1")
    assert await sweep_webhooks({"deps": deps}) == 1

    worker = build_worker(deps.app.settings, burst=True, handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert [body["data"]["dedupe_key"] for body in verified(secret, receiver.on("/a"))] == ["k1"]


async def test_metrics_show_each_business_s_waiting_messages_and_count_what_jobs_sent(
    deps: JobDeps,
    receiver: Receiver,  # noqa: F811
) -> None:
    ctx: dict[str, Any] = {"deps": deps}
    db, cipher = deps.app.db, deps.app.cipher
    sent, failing = await open_shop(db, order=paid_order()), await open_shop(db, "Tienda Dos", order=paid_order())
    await add_endpoint(db, cipher, sent.business_id, receiver.url("/a"), new_secret())
    await add_endpoint(db, cipher, failing.business_id, receiver.url("/b"), new_secret())
    receiver.answer("/b", 500)
    await store(db, sent, "k1")
    await store(db, failing, "k1", "k2", "k3")
    assert await deliver_webhooks(ctx, sent.business_id) == {"delivered": 1}
    assert await deliver_webhooks(ctx, failing.business_id) == {"failed": 1}  # its order waits behind the first
    async with db.connect() as conn:
        await conn.execute(text("UPDATE webhook_message SET created_at = :at"), {"at": NOW - timedelta(seconds=90)})
        await conn.execute(
            text("UPDATE webhook_message SET status = 'review' WHERE id = (SELECT max(id) FROM webhook_message)")
        )

    await refresh_delivery_gauges(db, deps.app.metrics, now=NOW)
    families = text_string_to_metric_families(deps.app.metrics.render().decode())
    found = {
        (s.name, s.labels.get("business_id") or s.labels.get("outcome")): s.value
        for family in families for s in family.samples
        if s.name.startswith("meli_outbound_webhook") and not s.name.endswith("_created")
    }  # fmt: skip
    label = str(failing.business_id)
    assert found == {
        ("meli_outbound_webhook_messages_total", "delivered"): 1.0,
        ("meli_outbound_webhook_messages_total", "failed"): 1.0,
        ("meli_outbound_webhook_backlog", label): 2.0,
        ("meli_outbound_webhook_oldest_pending_seconds", label): 90.0,
        ("meli_outbound_webhook_review", label): 1.0,
    }
