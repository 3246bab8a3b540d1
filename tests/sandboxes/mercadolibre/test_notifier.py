"""Notification sender: ML-shaped bodies, retries on failure or slowness, attempts log, /missed_feeds."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from sandboxes.mercadolibre import Faults, SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    CLIENT_ID,
    SELLER,
    MakeClient,
    bearer,
    create_order,
    ml_error,
    token_for,
    transition,
)

ORDER, PAYMENT, SHIPMENT, CLAIM = 2000010000000000, 91200000000, 44010000000, 5300000000
APP_ID = int(CLIENT_ID)


def notification_id(body: dict[str, Any]) -> str:
    value: str = body["_id"] if "_id" in body else body["id"]
    return value


class Callback:
    """A webhook receiver: answers `codes` in turn per notification id (`_id`, or `id` for claims; then 200),
    optionally slowly."""

    def __init__(self, codes: tuple[int, ...] = (), delay_s: float = 0.0) -> None:
        self.codes, self.delay_s = codes, delay_s
        self.received: list[dict[str, Any]] = []
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        seen = sum(1 for b in self.received if notification_id(b) == notification_id(body))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        code = self.codes[seen - 1] if seen <= len(self.codes) else 200
        return web.Response(status=code, text="ok" if code == 200 else "boom")

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/ml/notifications"))


@pytest.fixture
async def callback_factory() -> AsyncIterator[Any]:
    servers: list[TestServer] = []

    async def make(codes: tuple[int, ...] = (), delay_s: float = 0.0) -> Callback:
        callback = Callback(codes, delay_s)
        app = web.Application()
        app.router.add_post("/ml/notifications", callback.handle)
        callback.server = TestServer(app, host="127.0.0.1")
        await callback.server.start_server()
        servers.append(callback.server)
        return callback

    yield make
    for server in servers:
        await server.close()


def notifying(url: str | None, **extra: Any) -> SandboxConfig:
    return SandboxConfig(sellers=2, orders=0, callback_url=url, notify_time_scale=0.001, **extra)


async def settle(client: TestClient[Any, Any], total: int, state: str = "pending") -> list[dict[str, Any]]:
    """Wait until no delivery is in `state` any more; return all deliveries."""
    deadline = asyncio.get_running_loop().time() + 20
    while asyncio.get_running_loop().time() < deadline:
        body = await (await client.get("/_sandbox/notifications")).json()
        if body["total"] == total and all(d["state"] != state for d in body["deliveries"]):
            return list(body["deliveries"])
        await asyncio.sleep(0.01)
    raise AssertionError(f"deliveries did not settle: {body}")


async def test_failed_attempt_is_retried_and_every_attempt_recorded(
    make_client: MakeClient, callback_factory: Any
) -> None:
    callback = await callback_factory(codes=(500,))
    client = await make_client(notifying(callback.url))

    await create_order(client)
    deliveries = await settle(client, 3)

    assert [(d["topic"], d["resource"], d["state"]) for d in deliveries] == [
        ("orders_v2", f"/orders/{ORDER}", "delivered"),
        ("payments", f"/collections/{PAYMENT}", "delivered"),
        ("shipments", f"/shipments/{SHIPMENT}", "delivered"),
    ]
    assert [[a["http_code"] for a in d["attempts"]] for d in deliveries] == [[500, 200]] * 3
    first_id = deliveries[0]["_id"]
    order_bodies = [b for b in callback.received if b["_id"] == first_id]
    assert order_bodies == [
        {
            "_id": first_id,
            "resource": f"/orders/{ORDER}",
            "user_id": SELLER,
            "topic": "orders_v2",
            "application_id": APP_ID,
            "attempts": attempt,
            "sent": sent,
            "received": "2026-03-02T12:01:00.000Z",
        }
        for attempt, sent in ((1, "2026-03-02T12:01:00.000Z"), (2, "2026-03-02T12:01:30.000Z"))
    ]


async def test_claims_notifications_use_the_subtopic_model(make_client: MakeClient, callback_factory: Any) -> None:
    callback = await callback_factory()
    client = await make_client(notifying(callback.url))
    await create_order(client)
    await transition(client, ORDER, "pay")
    await settle(client, 6)

    await transition(client, ORDER, "open_claim")
    await settle(client, 8)

    claim = [b for b in callback.received if b["topic"] == "post_purchase"]
    assert [(b["resource"], b["actions"], b["user_id"]) for b in claim] == [
        (f"/post-purchase/v1/claims/{CLAIM}", ["claims"], SELLER)
    ]
    assert ("id" in claim[0], "_id" in claim[0]) == (True, False)  # claims bodies carry `id` (NOTIF)
    assert [b["topic"] for b in callback.received[-2:]] == ["post_purchase", "orders_v2"]


async def test_undelivered_notifications_appear_in_missed_feeds(make_client: MakeClient, callback_factory: Any) -> None:
    callback = await callback_factory(codes=(500, 503))
    client = await make_client(notifying(callback.url, notify_max_attempts=2))
    headers = bearer(await token_for(client))
    await create_order(client)
    deliveries = await settle(client, 3)

    feeds = await (await client.get("/missed_feeds", params={"app_id": CLIENT_ID}, headers=headers)).json()
    payments = await (
        await client.get("/missed_feeds", params={"app_id": CLIENT_ID, "topic": "payments"}, headers=headers)
    ).json()

    assert [d["state"] for d in deliveries] == ["missed"] * 3
    assert [m["resource"] for m in feeds["messages"]] == [
        f"/orders/{ORDER}",
        f"/collections/{PAYMENT}",
        f"/shipments/{SHIPMENT}",
    ]
    message = payments["messages"][0]
    body = {
        "_id": message["_id"],
        "resource": f"/collections/{PAYMENT}",
        "user_id": SELLER,
        "topic": "payments",
        "application_id": APP_ID,
        "attempts": 2,
        "sent": "2026-03-02T12:01:30.000Z",
        "received": "2026-03-02T12:01:00.000Z",
    }
    data = (
        f'{{"resource":"/collections/{PAYMENT}","user_id":"{SELLER}","topic":"payments",'
        f'"application_id":{APP_ID},"attempts":1,"sent":"2026-03-02T12:01:30.000Z",'
        '"received":"2026-03-02T12:01:00.000Z"}'
    )
    assert {k: v for k, v in message.items() if k not in ("request", "response")} == body
    assert message["request"] == {  # the body first POSTed, as a string, without `_id` (NOTIF example)
        "url": callback.url,
        "headers": {"accept": "application/json", "content-type": "application/json", "content-length": len(data)},
        "data": data,
    }
    assert json.loads(data)["user_id"] == str(SELLER)
    response = message["response"]
    assert (response["http_code"], response["body"]) == (503, "boom")
    assert set(response["headers"]) >= {"content-type", "content-length", "date"}


async def test_slow_answer_is_a_failed_attempt(make_client: MakeClient, callback_factory: Any) -> None:
    callback = await callback_factory(delay_s=0.3)
    client = await make_client(notifying(callback.url, notify_max_attempts=1, notify_timeout_s=0.1))

    await create_order(client)
    deliveries = await settle(client, 3)

    assert [(d["state"], [(a["http_code"], a["error"]) for a in d["attempts"]]) for d in deliveries] == [
        ("missed", [(None, "timeout")])
    ] * 3


async def test_without_a_callback_url_everything_is_missed(make_client: MakeClient) -> None:
    client = await make_client(notifying(None))
    headers = bearer(await token_for(client))

    await create_order(client)
    feeds = await (
        await client.get("/missed_feeds", params={"app_id": CLIENT_ID, "limit": "2"}, headers=headers)
    ).json()

    assert [(m["topic"], m["attempts"], m["response"]["http_code"]) for m in feeds["messages"]] == [
        ("orders_v2", 0, 0),
        ("payments", 0, 0),
    ]


async def test_duplicates_share_the_notification_id(make_client: MakeClient, callback_factory: Any) -> None:
    callback = await callback_factory()
    client = await make_client(notifying(callback.url, faults=Faults(duplicate_rate=1.0)))

    await create_order(client)
    deliveries = await settle(client, 6)

    assert [d["duplicate"] for d in deliveries] == [False, True, False, True, False, True]
    assert len({b["_id"] for b in callback.received}) == 3
    assert len(callback.received) == 6


async def test_late_notification_is_overtaken(make_client: MakeClient, callback_factory: Any) -> None:
    callback = await callback_factory()
    client = await make_client(notifying(callback.url, faults=Faults(late_rate=1.0, late_s=2000)))
    await create_order(client)
    await client.put("/_sandbox/faults", json={"late_rate": 0})

    await transition(client, ORDER, "pay")
    await settle(client, 6)

    first_received = [b["received"] for b in callback.received]
    assert first_received[:3] == ["2026-03-02T12:02:00.000Z"] * 3
    assert first_received[3:] == ["2026-03-02T12:01:00.000Z"] * 3
    assert callback.received[3]["sent"] == "2026-03-02T12:34:20.000Z"


async def test_missed_feeds_errors(client: TestClient[Any, Any]) -> None:
    headers = bearer(await token_for(client))

    missing = await client.get("/missed_feeds", headers=headers)
    wrong = await client.get("/missed_feeds", params={"app_id": "42"}, headers=headers)
    anonymous = await client.get("/missed_feeds", params={"app_id": CLIENT_ID})
    items = await client.get("/missed_feeds", params={"app_id": CLIENT_ID, "topic": "items"}, headers=headers)

    assert (missing.status, await missing.json()) == (400, ml_error(400, "bad_request", "app_id is required"))
    assert (wrong.status, await wrong.json()) == (
        403,
        ml_error(403, "forbidden", "app_id does not belong to the caller's application"),
    )
    assert anonymous.status == 401
    assert (items.status, (await items.json())["message"]) == (400, "site_id is required for topic items")
