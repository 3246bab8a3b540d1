"""Fixtures for the sandbox tests: the in-process app served on real loopback HTTP, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandboxes.mercadolibre import SANDBOX, Sandbox, SandboxConfig, create_sandbox_app

START = "2026-03-02T12:00:00.000Z"
SELLER = 241530000
SELLER_2 = 241530001
FIRST_BUYER = 1120000000
CLIENT_ID = "1234567890123456"
SECRET = "sandbox-client-secret"
REDIRECT = "http://127.0.0.1:8080/oauth/callback"


class FakeClock:
    """Wall clock under test control (epoch seconds)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """`await make_client(config=None, clock=None)` -> a TestClient on a fresh sandbox (cleaned up after)."""
    clients: list[TestClient[Any, Any]] = []

    async def make(config: SandboxConfig | None = None, clock: FakeClock | None = None) -> TestClient[Any, Any]:
        app = create_sandbox_app(config or SandboxConfig(sellers=2, orders=0), clock=clock)
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient) -> TestClient[Any, Any]:
    """Two sellers (MLA, MLB), no planned orders: scenarios are built by hand through the control API."""
    return await make_client()


def sandbox_of(client: TestClient[Any, Any]) -> Sandbox:
    app = client.app
    assert app is not None
    sandbox: Sandbox = app[SANDBOX]
    return sandbox


async def token_for(client: TestClient[Any, Any], seller_id: int = SELLER) -> str:
    response = await client.post(f"/_sandbox/sellers/{seller_id}/tokens")
    assert response.status == 201
    token: str = (await response.json())["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_order(client: TestClient[Any, Any], **body: Any) -> dict[str, Any]:
    payload = {"seller_id": SELLER, "buyer_id": FIRST_BUYER, **body}
    response = await client.post("/_sandbox/orders", json=payload)
    assert response.status == 201, await response.text()
    created: dict[str, Any] = await response.json()
    return created


async def transition(client: TestClient[Any, Any], order_id: int, kind: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/_sandbox/orders/{order_id}/transitions", json={"kind": kind, **body})
    assert response.status == 200, await response.text()
    applied: dict[str, Any] = await response.json()
    return applied


def ml_error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"message": message, "error": error, "status": status, "cause": []}
