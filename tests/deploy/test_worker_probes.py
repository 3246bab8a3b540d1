"""The worker's /metrics carries the queue depth that autoscaling reads; /healthz answers from its loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import _truncate
from worker.context import AppContext, app_context
from worker.jobs.probes import probe_app
from worker.settings import Settings
from worker.store.inbox import NewNotification, record_notifications
from worker.store.models import InboxStatus

DEPTHS = ("meli_queue_jobs", "meli_queue_ready_jobs", "meli_inbox_pending_rows")


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[AppContext]:
    async with app_context(settings) as app:
        await _truncate(app.db)
        await app.redis.delete(settings.queue_name)
        try:
            yield app
        finally:
            await app.redis.delete(settings.queue_name)


def _row(number: int, status: InboxStatus) -> NewNotification:
    return NewNotification("orders_v2", f"/orders/{number}", 5001, {"resource": f"/orders/{number}"}, status)


async def _samples(client: TestClient[web.Request, web.Application]) -> dict[str, float]:
    response = await client.get("/metrics")
    assert response.status == 200
    families = text_string_to_metric_families(await response.text())
    return {s.name: s.value for f in families for s in f.samples if s.name in DEPTHS}


async def test_metrics_report_queued_ready_jobs_and_pending_rows(context: AppContext) -> None:
    await record_notifications(context.db, [_row(1, InboxStatus.PENDING), _row(2, InboxStatus.PENDING),
                                            _row(3, InboxStatus.IGNORED)])  # fmt: skip
    await context.redis.enqueue_job("drain_seller", 1)
    await context.redis.enqueue_job("drain_seller", 2)
    await context.redis.enqueue_job("drain_seller", 3, _defer_by=600)

    async with TestClient(TestServer(probe_app(context))) as client:
        samples = await _samples(client)

    assert samples == {"meli_queue_jobs": 3.0, "meli_queue_ready_jobs": 2.0, "meli_inbox_pending_rows": 2.0}


async def test_depths_are_read_at_most_every_few_seconds_however_often_scraped(context: AppContext) -> None:
    async with TestClient(TestServer(probe_app(context))) as client:
        first = await _samples(client)
        await context.redis.enqueue_job("drain_seller", 1)
        second = await _samples(client)

    assert first["meli_queue_jobs"] == second["meli_queue_jobs"] == 0.0


async def test_healthz_answers_ok(context: AppContext) -> None:
    async with TestClient(TestServer(probe_app(context))) as client:
        response = await client.get("/healthz")

        assert (response.status, await response.json()) == (200, {"status": "ok"})
