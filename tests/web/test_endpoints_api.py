"""The business API for outbound webhook endpoints: a secret shown once and kept encrypted, a URL that may not
receive refused, another business's endpoints out of reach, and the secret never in a log line."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from tests.harness.shop import open_shop
from worker.context import AppContext
from worker.store.webhooks import active_endpoints
from worker.web.app import create_app

Client = TestClient[web.Request, web.Application]
URL = "http://127.0.0.1:9/hook"


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[Client]:
    context.settings = context.settings.model_copy(update={"outbound_webhooks_allow_local": True})
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_an_endpoint_is_added_with_its_secret_shown_once(
    client: Client, context: AppContext, log_output: io.StringIO
) -> None:
    key = (await open_shop(context.db, "A")).api_key
    made = await client.post("/api/v1/webhooks", json={"url": URL}, headers=auth(key))
    body = await made.json()
    assert (made.status, made.headers["Cache-Control"]) == (201, "no-store")
    assert (body["id"], body["url"], body["status"], body["messages"]) == (1, URL, "active", {})
    secret = body["secret"]
    assert secret.startswith("whsec_")

    listed = await (await client.get("/api/v1/webhooks", headers=auth(key))).json()
    assert [(e["id"], e["url"]) for e in listed["webhooks"]] == [(1, URL)] and "secret" not in listed["webhooks"][0]
    [endpoint] = await active_endpoints(context.db, context.cipher, 1)
    assert endpoint.secret == secret
    async with context.db.connect() as conn:
        stored = (await conn.execute(text("SELECT secret_enc FROM webhook_endpoint"))).scalar_one()
    assert secret.encode() not in stored and secret[6:].encode() not in stored
    assert secret[6:] not in log_output.getvalue() and "webhook.endpoint.added" in log_output.getvalue()


async def test_bad_bodies_and_urls_are_refused(client: Client, context: AppContext) -> None:
    key = (await open_shop(context.db, "A")).api_key
    for body, status in (([], 400), ({"url": 5}, 400), ({"url": URL, "x": 1}, 400), ({"url": "ftp://a/b"}, 422)):
        answer = await client.post("/api/v1/webhooks", json=body, headers=auth(key))
        assert (answer.status, (await answer.json())["error"]) == (status, "invalid_request")
    context.settings = context.settings.model_copy(update={"outbound_webhooks_allow_local": False})
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as guarded:
        refused = await guarded.post("/api/v1/webhooks", json={"url": "https://127.0.0.1/hook"}, headers=auth(key))
        assert (refused.status, (await refused.json())["message"]) == (
            422, "url: resolves to a loopback, private or link-local address"
        )  # fmt: skip
    assert (await client.post("/api/v1/webhooks", json={"url": URL})).status == 401


async def test_each_business_sees_and_removes_only_its_endpoints(client: Client, context: AppContext) -> None:
    key_a = (await open_shop(context.db, "A")).api_key
    key_b = (await open_shop(context.db, "B")).api_key
    assert (await client.post("/api/v1/webhooks", json={"url": URL}, headers=auth(key_a))).status == 201

    assert await (await client.get("/api/v1/webhooks", headers=auth(key_b))).json() == {"webhooks": []}
    assert (await client.delete("/api/v1/webhooks/1", headers=auth(key_b))).status == 404
    assert (await client.post("/api/v1/webhooks/1/resume", headers=auth(key_b))).status == 404
    resumed = await client.post("/api/v1/webhooks/1/resume", headers=auth(key_a))
    assert (resumed.status, await resumed.json()) == (200, {"id": 1, "status": "active", "messages_due": 0})
    removed = await client.delete("/api/v1/webhooks/1", headers=auth(key_a))
    assert (removed.status, await removed.json()) == (200, {"id": 1, "removed": True})
    assert await (await client.get("/api/v1/webhooks", headers=auth(key_a))).json() == {"webhooks": []}
