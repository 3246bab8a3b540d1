"""The webhook's batch writer: ids in the batch's order, and a row the database refuses fails alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from connectors.errors import InvalidRecord, Unavailable
from worker.store.db import Database, open_database
from worker.store.inbox import NewNotification
from worker.store.inbox_writer import inbox_writer
from worker.store.models import InboxRow, InboxStatus


def note(order: int, **changes: Any) -> NewNotification:
    body = {"topic": "orders_v2", "resource": f"/orders/{order}", "user_id": 42}
    values: dict[str, Any] = {
        "topic": "orders_v2", "resource": f"/orders/{order}", "user_id": 42, "body": body,
        "status": InboxStatus.IGNORED, "notification_id": f"n-{order}", "reason": "unknown seller",
    }  # fmt: skip
    return NewNotification(**(values | changes))


async def stored(db: Database) -> list[tuple[int, str, str | None, str]]:
    async with db.transaction() as session:
        rows = (await session.exec(select(InboxRow).order_by(InboxRow.id))).all()  # type: ignore[arg-type]
    return [(row.id or 0, row.resource, row.notification_id, row.status) for row in rows]


async def test_a_batch_gets_its_ids_in_order(db: Database) -> None:
    writer = inbox_writer(db, connections=2)
    try:
        ids = await writer.write([note(3), note(1), note(2)])
    finally:
        await writer.close()

    assert await stored(db) == [
        (ids[0], "/orders/3", "n-3", "ignored"),
        (ids[1], "/orders/1", "n-1", "ignored"),
        (ids[2], "/orders/2", "n-2", "ignored"),
    ]
    assert [type(row_id) for row_id in ids] == [int, int, int]
    assert ids == sorted(row_id for row_id in ids if isinstance(row_id, int))


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_a_row_the_database_refuses_fails_alone(db: Database) -> None:
    writer = inbox_writer(db, connections=2)
    try:
        results = await writer.write([note(1), note(2, notification_id="x" * 65), note(3)])
    finally:
        await writer.close()

    assert isinstance(results[1], InvalidRecord)
    assert str(results[1]) == ("notification: the database refused it: value too long for type character varying(64)")
    assert await stored(db) == [
        (results[0], "/orders/1", "n-1", "ignored"),
        (results[2], "/orders/3", "n-3", "ignored"),
    ]


async def test_an_unreachable_postgresql_is_unavailable() -> None:
    db = open_database("postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/nowhere")
    writer = inbox_writer(db, connections=1)
    try:
        with pytest.raises(Unavailable) as raised:
            await writer.write([note(1)])
    finally:
        await writer.close()
        await db.close()

    assert str(raised.value).startswith("cannot reach database postgresql+asyncpg://postgres:***@127.0.0.1:1/nowhere:")
    assert "hunter2" not in str(raised.value)
