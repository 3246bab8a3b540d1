"""The real app on loopback (SQLite + the machine's Redis) with two businesses, each with a seller and events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import _truncate
from tests.fuzz.live import Tenant, add_tenant, forget_redis_keys
from worker.context import AppContext, app_context
from worker.settings import Settings
from worker.web.app import create_app

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[AppContext]:
    async with app_context(settings) as ctx:
        await _truncate(ctx.db)
        await ctx.redis.delete(settings.queue_name)
        yield ctx
        await forget_redis_keys(ctx, settings.queue_name)


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def tenants(context: AppContext) -> tuple[Tenant, Tenant]:
    """Business "alfa" (seller 700000001, 3 events) and business "beta" (seller 700000002, 2 events)."""
    return (
        await add_tenant(context, "alfa", 700000001, events=3),
        await add_tenant(context, "beta", 700000002, events=2),
    )
