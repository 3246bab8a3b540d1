"""Outbound webhooks end to end on the real store and a receiver on loopback: each event signed as Standard
Webhooks says (checked with the `standardwebhooks` package), in order per order, the same webhook-id on every
attempt, 410 disabling the endpoint, failures retried then parked, and one endpoint's trouble kept its own."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from tests.delivery.receiver import Receiver, receiver  # noqa: F401
from tests.harness.shop import ORDER, T0, Shop, open_shop, paid_order, record
from worker.delivery.signing import new_secret, signature
from worker.delivery.webhook_lane import WebhookOptions, run_webhooks
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.events import append_events
from worker.store.webhook_queue import webhook_lanes_due
from worker.store.webhooks import add_endpoint, list_endpoints, resume_endpoint

CIPHER = TokenCipher([TokenCipher.generate_key()])
LOCAL = WebhookOptions(timeout=2.0, allow_local=True)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def hooked(db: Database, receiver: Receiver, name: str = "Tienda Uno", path: str = "/a") -> tuple[Shop, str]:  # noqa: F811
    shop = await open_shop(db, name, order=paid_order())
    secret = new_secret()
    await add_endpoint(db, CIPHER, shop.business_id, receiver.url(path), secret)
    return shop, secret


async def store(db: Database, shop: Shop, *keys: str) -> None:
    actions = ("order.confirmed", "order.shipped", "order.delivered")
    records = [record(shop, key, action=actions[n], tracked_at=T0 + timedelta(minutes=n)) for n, key in enumerate(keys)]
    await append_events(db, shop.business_id, records)


async def send(db: Database, http: aiohttp.ClientSession, shop: Shop, options: WebhookOptions = LOCAL) -> Counter[str]:
    return await run_webhooks(db, CIPHER, http, options, shop.business_id)


async def rows(db: Database, query: str) -> list[tuple[Any, ...]]:
    async with db.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(query))).all()]


async def due_now(db: Database) -> None:
    async with db.connect() as conn:
        await conn.execute(text("UPDATE webhook_message SET due_at = :t"), {"t": datetime.now(UTC) - timedelta(1)})
        await conn.execute(text("UPDATE webhook_endpoint SET retry_at = NULL"))


def verified(secret: str, received: list[Any]) -> list[dict[str, Any]]:
    return [Webhook(secret).verify(request.body, request.headers) for request in received]


def test_the_signature_is_the_standard_one() -> None:
    secret, body = new_secret(), b'{"type":"order.confirmed"}'
    expected = Webhook(secret).sign("msg_event_1", datetime.fromtimestamp(1_764_000_000, UTC), body)
    assert signature(secret, "msg_event_1", 1_764_000_000, body) == expected
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44


async def test_each_event_reaches_the_endpoint_signed_and_in_order(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    shop, secret = await hooked(db, receiver)
    await store(db, shop, "k1", "k2")
    assert await rows(db, "SELECT type, status, attempts FROM webhook_message ORDER BY id") == [
        ("order.confirmed", "pending", 0), ("order.shipped", "pending", 0)
    ]  # fmt: skip

    assert await send(db, http, shop) == Counter(delivered=2)
    assert await send(db, http, shop) == Counter()  # nothing is sent twice

    bodies = verified(secret, receiver.on("/a"))
    assert [(body["type"], body["data"]["dedupe_key"]) for body in bodies] == [
        ("order.confirmed", "k1"), ("order.shipped", "k2")
    ]  # fmt: skip
    data = bodies[0]["data"]
    assert (data["business_id"], data["order_reference"], data["amount"], data["currency"]) == (
        shop.business_id, ORDER, "15999.00", "COP"
    )  # fmt: skip
    assert data["tracked_at"] == "2026-11-20T14:02:13.500Z"
    assert receiver.on("/a")[0].headers["webhook-id"] == f"msg_event_{data['id']}"
    assert await rows(db, "SELECT status, attempts, last_status FROM webhook_message") == [("delivered", 1, 200)] * 2


async def test_no_endpoint_no_message_and_every_active_endpoint_its_own(
    db: Database, receiver: Receiver  # noqa: F811
) -> None:  # fmt: skip
    lone = await open_shop(db, "Sin webhooks", order=paid_order())
    await store(db, lone, "k1")
    assert await rows(db, "SELECT COUNT(*) FROM webhook_message") == [(0,)]

    shop, _ = await hooked(db, receiver, "Tienda Dos")
    await add_endpoint(db, CIPHER, shop.business_id, receiver.url("/b"), new_secret())
    await store(db, shop, "k2")
    found = await rows(db, "SELECT endpoint_id, message_id FROM webhook_message ORDER BY endpoint_id")
    assert [endpoint for endpoint, _ in found] == [1, 2] and found[0][1] == found[1][1]


async def test_a_5xx_is_retried_with_the_same_webhook_id_and_the_order_waits(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    shop, secret = await hooked(db, receiver)
    await store(db, shop, "k1", "k2")
    receiver.answer("/a", 503)

    assert await send(db, http, shop) == Counter(failed=1)
    assert len(receiver.on("/a")) == 1  # the order's next event waits behind the first
    [(status, attempts, last, reason)] = await rows(
        db,
        "SELECT status, attempts, last_status, reason FROM webhook_message WHERE status = 'pending' AND attempts > 0",
    )
    assert (status, attempts, last) == ("pending", 1, 503)
    assert reason.startswith("HTTP 503: down down") and len(reason) <= len("HTTP 503: ") + 200
    assert await send(db, http, shop) == Counter()  # it waits with backoff, the endpoint rests

    await due_now(db)
    assert await send(db, http, shop) == Counter(delivered=2)
    ids = [request.headers["webhook-id"] for request in receiver.on("/a")]
    assert ids[0] == ids[1] != ids[2]
    assert [body["data"]["dedupe_key"] for body in verified(secret, receiver.on("/a"))] == ["k1", "k1", "k2"]


async def test_failures_for_about_a_day_park_the_message_for_review(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    shop, _ = await hooked(db, receiver)
    await store(db, shop, "k1")
    async with db.connect() as conn:
        since = datetime.now(UTC) - timedelta(hours=25)
        await conn.execute(text("UPDATE webhook_message SET attempts = 9, first_failed_at = :t"), {"t": since})
    receiver.answer("/a", 500)
    assert await send(db, http, shop) == Counter(failed=1)
    assert await rows(db, "SELECT status, attempts, last_status FROM webhook_message") == [("review", 10, 500)]

    assert await resume_endpoint(db, shop.business_id, 1, datetime.now(UTC)) == 1  # a person sends it again
    assert await send(db, http, shop) == Counter(delivered=1)
    assert await rows(db, "SELECT status, attempts, last_status FROM webhook_message") == [("delivered", 1, 200)]


async def test_410_disables_the_endpoint(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    shop, _ = await hooked(db, receiver)
    await store(db, shop, "k1")
    receiver.answer("/a", 410)

    assert await send(db, http, shop) == Counter(disabled=1)
    [endpoint] = await list_endpoints(db, shop.business_id)
    assert (endpoint.status, endpoint.reason) == ("disabled", "the receiver answered 410 Gone")
    await store(db, shop, "k1", "k2")
    assert await rows(db, "SELECT COUNT(*) FROM webhook_message") == [(1,)]  # nothing new for a disabled endpoint
    assert await webhook_lanes_due(db, datetime.now(UTC)) == []
    assert await send(db, http, shop) == Counter() and len(receiver.received) == 1

    assert await resume_endpoint(db, shop.business_id, 1, datetime.now(UTC)) == 0
    assert await resume_endpoint(db, shop.business_id + 1, 1, datetime.now(UTC)) is None
    assert await send(db, http, shop) == Counter(delivered=1)  # the message the 410 left pending


async def test_one_business_slow_endpoint_never_delays_another(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    slow, _ = await hooked(db, receiver, "Lenta", "/slow")
    quick, _ = await hooked(db, receiver, "Rápida", "/quick")
    await add_endpoint(db, CIPHER, slow.business_id, receiver.url("/also"), new_secret())
    await store(db, slow, "s1")
    await store(db, quick, "q1")
    receiver.delays["/slow"] = 3.0
    options = WebhookOptions(timeout=1.0, allow_local=True)

    stuck = asyncio.create_task(send(db, http, slow, options))
    started = time.monotonic()
    assert await send(db, http, quick, options) == Counter(delivered=1)
    assert time.monotonic() - started < 0.9 and not stuck.done()
    assert await stuck == Counter(failed=1, delivered=1)  # its other endpoint got its message all the same
    assert [len(receiver.on(path)) for path in ("/slow", "/also", "/quick")] == [1, 1, 1]


async def test_the_secret_and_signatures_never_reach_the_logs(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession, log_output: io.StringIO  # noqa: F811
) -> None:  # fmt: skip
    shop, secret = await hooked(db, receiver)
    await store(db, shop, "k1", "k2")
    receiver.answer("/a", 500)
    assert await send(db, http, shop) == Counter(failed=1)
    await due_now(db)
    assert await send(db, http, shop) == Counter(delivered=2)
    logged = log_output.getvalue()
    assert "webhook.delivery.failed" in logged and "webhook.delivery.delivered" in logged
    signatures = [request.headers["webhook-signature"] for request in receiver.on("/a")]
    assert secret[6:] not in logged and not any(sig[3:] in logged for sig in signatures)


async def test_a_waiting_message_without_an_order_holds_up_nothing_else(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    shop, _ = await hooked(db, receiver)
    await append_events(db, shop.business_id, [record(shop, "lone", order_object_id=None)])
    receiver.answer("/a", 500)
    assert await send(db, http, shop) == Counter(failed=1)
    await store(db, shop, "k1")
    await due_now(db)
    async with db.connect() as conn:  # the order-less message still waits; the order's may go
        await conn.execute(text("UPDATE webhook_message SET due_at = :t WHERE type = 'order.confirmed' AND "
                                "order_key IS NULL"), {"t": datetime.now(UTC) + timedelta(hours=1)})  # fmt: skip
    assert await send(db, http, shop) == Counter(delivered=1)
    assert [json.loads(r.body)["data"]["dedupe_key"] for r in receiver.on("/a")] == ["lone", "k1"]
