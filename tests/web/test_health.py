"""GET /healthz (public: ok or failing, nothing more) and GET /healthz/details (internal) against the real
database and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from worker import __version__
from worker.context import app_context
from worker.settings import Settings
from worker.web.app import create_app

INTERNAL = {"Authorization": "Bearer internal-test-token"}


def with_token(settings: Settings) -> Settings:
    return settings.model_copy(update={"internal_token": SecretStr("internal-test-token")})


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with app_context(with_token(settings)) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
            yield test_client


async def test_health_says_ok_and_details_need_the_internal_token(
    client: TestClient[web.Request, web.Application],
) -> None:
    public = await client.get("/healthz")
    details = await client.get("/healthz/details", headers=INTERNAL)
    hidden = await client.get("/healthz/details")

    assert (public.status, await public.json()) == (200, {"status": "ok"})
    assert details.status == 200
    assert await details.json() == {
        "status": "ok",
        "version": __version__,
        "environment": "development",
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert hidden.status == 404


async def test_health_is_503_and_only_details_name_the_failing_dependency(settings: Settings) -> None:
    broken = with_token(settings).model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with app_context(broken) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
            public = await test_client.get("/healthz")
            public_body = await public.text()
            details = await test_client.get("/healthz/details", headers=INTERNAL)
            body = await details.json()

    assert (public.status, public_body) == (503, '{"status": "failing"}')
    assert details.status == 503
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "error: ConnectionError"}
