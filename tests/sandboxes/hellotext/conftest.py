"""The fake Hellotext served on loopback HTTP, with one business reached with `TOKEN`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandboxes.hellotext import create_hellotext_app

TOKEN = "ht_private_token_1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def hellotext() -> AsyncIterator[TestClient[Any, Any]]:
    client: TestClient[Any, Any] = TestClient(TestServer(create_hellotext_app(), host="127.0.0.1"))
    await client.start_server()
    await client.post("/_sandbox/accounts", json={"token": TOKEN, "name": "Tienda Uno"})
    yield client
    await client.close()
