"""Forged or unknown notifications cannot fill the database: a row that is not work keeps no body.

1,000 notifications of 16 KiB each for sellers nobody connected used to keep their bodies for 30 days (the
database grew 12.5 MB in 0.7 s). Now each ignored row keeps the SHA-256 of its body and an empty body, on both
databases. (Failed and throttled rows are pruned after the retention: tests/store/test_inbox_prune.py.)
"""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.settings import Settings
from worker.store.models import InboxRow

FLOOD = 1000
PADDING = 15_800  # with the notification's own fields, just under the webhook's 16 KiB limit


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(settings: Settings, migrated_urls: dict[str, str], request: pytest.FixtureRequest) -> Settings:
    """On both databases (PostgreSQL's webhook writes through its own batch statement)."""
    return settings.model_copy(update={"database_url": migrated_urls[request.param]})


def padded(n: int) -> bytes:
    body = {"topic": "orders_v2", "resource": f"/orders/{3_000_000_000 + n}", "user_id": 800_000_000 + n,
            "application_id": 1234567890123456, "padding": "x" * PADDING}  # fmt: skip
    return json.dumps(body).encode()


async def stored_body_bytes(context: AppContext) -> int:
    length = "octet_length(body::text)" if context.db.dialect == "postgresql" else "length(body)"
    async with context.db.connect() as conn:
        return int((await conn.execute(text(f"SELECT coalesce(sum({length}), 0) FROM notification"))).scalar_one())  # noqa: S608


async def test_ignored_notifications_keep_a_hash_and_no_body(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    gate = asyncio.Semaphore(50)
    bodies = [padded(n) for n in range(FLOOD)]

    async def post(raw: bytes) -> int:
        async with gate:
            response = await client.post(
                "/webhooks/mercadolibre", data=raw, headers={"Content-Type": "application/json"}
            )
            return response.status

    statuses = await asyncio.gather(*(post(raw) for raw in bodies))
    async with context.db.transaction() as session:
        rows = (await session.exec(select(InboxRow).order_by(col(InboxRow.id)))).all()

    assert set(statuses) == {200} and len(bodies[0]) > 15_000
    assert [(row.status, row.reason, row.body) for row in rows] == [("ignored", "unknown seller", {})] * FLOOD
    assert sorted(row.body_sha256 or "" for row in rows) == sorted(hashlib.sha256(raw).hexdigest() for raw in bodies)
    assert await stored_body_bytes(context) == FLOOD * len("{}")
