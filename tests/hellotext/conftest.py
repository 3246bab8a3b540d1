"""The fake Hellotext on loopback, and a client for it with a short timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from connectors.hellotext.client import HellotextClient
from sandboxes.hellotext import HELLOTEXT, Faults, HellotextState, create_hellotext_app
from sandboxes.hellotext.app import FAULTS

TOKEN = "ht_private_token_1"
TOKEN_2 = "ht_private_token_2"


@dataclass
class FakeHellotext:
    url: str
    state: HellotextState
    faults: Faults

    def oracle(self, token: str = TOKEN) -> dict[str, Any]:
        return self.state.oracle(self.state.accounts[token])

    def client(self, http: aiohttp.ClientSession, token: str = TOKEN, timeout: float = 2.0) -> HellotextClient:
        return HellotextClient(http, token, base_url=self.url, timeout=timeout)


@pytest.fixture
async def fake_hellotext() -> AsyncIterator[FakeHellotext]:
    app = create_hellotext_app()
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    app[HELLOTEXT].add_account(TOKEN, "Tienda Uno")
    app[HELLOTEXT].add_account(TOKEN_2, "Tienda Dos")
    yield FakeHellotext(str(server.make_url("")).rstrip("/"), app[HELLOTEXT], app[FAULTS])
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
