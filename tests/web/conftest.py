"""The web app on a test server over an emptied store (a module may bring its own `context` or `client`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import _truncate
from worker.context import AppContext, app_context
from worker.settings import Settings
from worker.web.app import create_app

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[AppContext]:
    async with app_context(settings) as ctx:
        await _truncate(ctx.db)
        yield ctx


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
        yield test_client
