"""The business API for delivery: a token checked with Hellotext before it is kept, deliveries listed by status
and retried, another business's deliveries out of reach."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.hellotext.conftest import TOKEN, FakeHellotext, fake_hellotext  # noqa: F401
from tests.web.test_events_api import business_with_events
from worker.context import AppContext
from worker.store.deliveries import set_delivery
from worker.store.hellotext import load_config
from worker.web.app import create_app

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(context: AppContext, fake_hellotext: FakeHellotext) -> AsyncIterator[Client]:  # noqa: F811
    context.settings = context.settings.model_copy(update={"hellotext_api_base_url": fake_hellotext.url})
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_token_is_checked_with_hellotext_and_kept_encrypted(client: Client, context: AppContext) -> None:
    key = await business_with_events(context, "A", ["a1"])
    refused = await client.put("/api/v1/hellotext", json={"token": "ht_wrong"}, headers=auth(key))
    assert (refused.status, (await refused.json())["error"]) == (422, "invalid_request")
    assert (await client.put("/api/v1/hellotext", json={"paused": True}, headers=auth(key))).status == 409

    saved = await client.put("/api/v1/hellotext", json={"token": TOKEN, "history": "all"}, headers=auth(key))
    body = await saved.json()
    assert (saved.status, body["status"], body["paused"], body["history_days"]) == (200, "active", False, "all")
    assert TOKEN not in str(body)
    config = await load_config(context.db, context.cipher, 1)
    assert config is not None and config.token == TOKEN


async def test_deliveries_are_listed_by_status_and_retried(client: Client, context: AppContext) -> None:
    key = await business_with_events(context, "A", ["a1", "a2"])
    other = await business_with_events(context, "B", ["b1"])
    await set_delivery(context.db, 2, status="review", reason="track event: refused (422)", last_status=422)

    page = await (await client.get("/api/v1/deliveries?status=review", headers=auth(key))).json()
    assert [(d["id"], d["status"], d["last_status"]) for d in page["deliveries"]] == [(2, "review", 422)]
    assert page["counts"] == {"pending": 1, "review": 1}
    assert (await client.get("/api/v1/deliveries?status=lost", headers=auth(key))).status == 400

    assert (await client.post("/api/v1/deliveries/2/retry", headers=auth(other))).status == 404
    retried = await client.post("/api/v1/deliveries/2/retry", headers=auth(key))
    assert (retried.status, await retried.json()) == (200, {"id": 2, "status": "pending"})
    page = await (await client.get("/api/v1/deliveries", headers=auth(key))).json()
    assert page["counts"] == {"pending": 2}
    assert (await client.get("/api/v1/deliveries")).status == 401
