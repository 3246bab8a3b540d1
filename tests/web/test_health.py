"""GET /healthz against the real database and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from worker import __version__
from worker.context import app_context
from worker.settings import Settings
from worker.web.app import create_app


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with app_context(settings) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
            yield test_client


async def test_health_reports_version_and_live_checks(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "version": __version__,
        "environment": "development",
        "checks": {"database": "ok", "redis": "ok"},
    }


async def test_health_is_503_and_names_the_failing_dependency(settings: Settings) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with app_context(broken) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
            response = await test_client.get("/healthz")
            body = await response.json()

    assert response.status == 503
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "error: ConnectionError"}
