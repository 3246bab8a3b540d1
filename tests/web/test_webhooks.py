"""POST /webhooks/mercadolibre against the real app, database and Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from tests.harness.store import set_account_status
from worker import redis_keys
from worker.context import AppContext, app_context
from worker.settings import Settings
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.models import AccountStatus, InboxRow
from worker.web.app import create_app
from worker.web.keys import INTAKE

SELLER = 987654321
Client = TestClient[web.Request, web.Application]


def notification(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "_id": "6560d1a2f3b4c5d6e7f80911",
        "resource": "/orders/2000009876543210",
        "user_id": SELLER,
        "topic": "orders_v2",
        "application_id": 1234567890123456,
        "attempts": 1,
        "sent": "2026-11-20T14:05:33.412Z",
        "received": "2026-11-20T14:05:33.398Z",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest, settings: Settings, migrated_urls: dict[str, str]) -> Settings:
    """The webhook on each database: SQLite writes through SQLAlchemy, PostgreSQL through its own batch statement.
    (The per-seller intake budget is wide open here; tests/attacks/test_forged_flood.py checks it.)"""
    return settings.model_copy(update={"database_url": migrated_urls[request.param], "webhook_seller_burst": 10_000})


@pytest.fixture
async def context(store_settings: Settings) -> AsyncIterator[AppContext]:
    async with app_context(store_settings) as ctx:
        await ctx.redis.delete(f"{store_settings.queue_name}")
        yield ctx


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def account_id(context: AppContext) -> int:
    from tests.conftest import _truncate

    await _truncate(context.db)
    business, _ = await create_business(context.db, "Tienda", "CO")
    assert business.id is not None
    tokens = TokenSet("APP_USR-x", "TG-x", datetime.now(UTC) + timedelta(hours=6), "offline_access read write")
    account = await link_account(
        context.db,
        context.cipher,
        business_id=business.id,
        seller_id=SELLER,
        site_id="MCO",
        nickname="T",
        tokens=tokens,
    )
    assert account.id is not None
    return account.id


async def inbox(context: AppContext) -> list[tuple[str, str | None, str | None, str | None]]:
    async with context.db.transaction() as session:
        rows = (await session.exec(select(InboxRow).order_by(InboxRow.id))).all()  # type: ignore[arg-type]
    return [(row.status, row.kind, row.resource_id, row.reason) for row in rows]


async def test_accepted_notification_is_recorded_and_queued(
    client: Client, context: AppContext, account_id: int
) -> None:
    response = await client.post(
        "/webhooks/mercadolibre", json=notification(user_id=str(SELLER), resource="orders/2000009876543210")
    )
    body = await response.json()

    assert (response.status, body["status"]) == (200, "pending")
    assert await inbox(context) == [("pending", "order", "2000009876543210", None)]
    assert await drains_asked(client, context, account_id) == 1


async def settled(client: Client) -> None:
    """Every drain request the answers so far made has reached Redis (they are sent just after answering)."""
    await client.app[INTAKE].jobs.close()


async def drains_asked(client: Client, context: AppContext, account_id: int) -> int:
    """How many drain jobs of the seller are queued; the seller's drain flag must be set."""
    await settled(client)
    prefix = f"{context.settings.queue_name}:drain:{account_id}:"
    jobs = [job for job in await queued_jobs(context, 1) if job.startswith(prefix)]
    assert await context.redis.exists(redis_keys.drain_flag(context.settings.queue_name, account_id)) == 1
    return len(jobs)


async def queued_jobs(context: AppContext, expected: int) -> list[str]:
    """The queue's job ids once `expected` are there (jobs are queued shortly after the answer), or after 2 s."""
    deadline = asyncio.get_running_loop().time() + 2
    while True:
        queued = [member.decode() for member in await context.redis.zrange(context.settings.queue_name, 0, -1)]
        if len(queued) >= expected or asyncio.get_running_loop().time() > deadline:
            return queued
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"topic": "questions", "resource": "/questions/123"}, "topic questions is not processed"),
        ({"user_id": 5}, "unknown seller"),
    ],
)
async def test_ignored_notifications_are_answered_200_and_recorded(
    client: Client, context: AppContext, account_id: int, changes: dict[str, Any], reason: str
) -> None:
    response = await client.post("/webhooks/mercadolibre", json=notification(**changes))

    assert (response.status, (await response.json())["status"]) == (200, "ignored")
    assert await inbox(context) == [("ignored", None, None, reason)]
    await settled(client)
    assert await context.redis.zcard(context.settings.queue_name) == 0


async def test_disconnected_seller_is_ignored(client: Client, context: AppContext, account_id: int) -> None:
    await set_account_status(context.db, account_id, AccountStatus.DISCONNECTED)
    context_app_cache_bust = await client.post("/webhooks/mercadolibre", json=notification())

    assert context_app_cache_bust.status == 200
    assert await inbox(context) == [("ignored", None, None, "seller disconnected")]


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        (b"{not json", 400, None),
        (json.dumps(notification(user_id="abc")).encode(), 400, None),
        (json.dumps(notification(resource="http://evil.example/orders/1")).encode(), 400, None),
        (json.dumps(notification(resource="/orders/../users/me")).encode(), 400, None),
        (json.dumps(notification(application_id=999)).encode(), 403, "application_id is not this application"),
        (json.dumps(notification(_id="x" * 65)).encode(), 400, "_id: longer than 64 characters"),
        (json.dumps(notification(topic="orders_v2\u0000")).encode(), 400, "topic: must not contain NUL characters"),
        (
            json.dumps(notification(topic="questions", resource="/questions/1\u0000")).encode(),
            400,
            "resource: must not contain NUL characters",
        ),
        (b"{" + b" " * 20_000 + b"}", 413, "body larger than 16384 bytes"),
    ],
)
async def test_bad_input_gets_a_reason_and_is_not_recorded(
    client: Client, context: AppContext, account_id: int, raw: bytes, status: int, error: str | None
) -> None:
    response = await client.post("/webhooks/mercadolibre", data=raw, headers={"Content-Type": "application/json"})
    body = await response.json()

    assert response.status == status
    assert isinstance(body["error"], str) and body["error"]
    if error is not None:
        assert body["error"] == error
    assert await inbox(context) == []


async def test_redis_down_still_records_and_answers_200(store_settings: Settings, account_id: int) -> None:
    broken = store_settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with app_context(broken) as ctx:
        async with TestClient(TestServer(create_app(ctx), host="127.0.0.1")) as test_client:
            response = await test_client.post("/webhooks/mercadolibre", json=notification())
        rows = await inbox(ctx)

    assert response.status == 200
    assert rows == [("pending", "order", "2000009876543210", None)]


async def test_a_burst_gets_each_notification_its_own_row(client: Client, context: AppContext, account_id: int) -> None:
    """200 notifications at once are written in a few batches; every answer names the row of its own resource."""
    orders = [str(2000000000000000 + n) for n in range(200)]

    async def post(order: str) -> tuple[int, str]:
        response = await client.post("/webhooks/mercadolibre", json=notification(resource=f"/orders/{order}"))
        assert response.status == 200
        return (await response.json())["id"], order

    answered = dict(await asyncio.gather(*(post(order) for order in orders)))
    async with context.db.transaction() as session:
        rows = (await session.exec(select(InboxRow.id, InboxRow.resource_id))).all()

    assert dict(rows) == answered
    assert await drains_asked(client, context, account_id) == 1  # one drain empties the seller's rows, however many
