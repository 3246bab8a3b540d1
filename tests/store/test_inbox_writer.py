"""The webhook's batch writer: ids in the batch's order, and a row the database refuses fails alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from connectors.errors import InvalidRecord
from worker.errors import Unavailable
from worker.store.db import Database, open_database
from worker.store.inbox import NewNotification
from worker.store.inbox_writer import APPLICATION_NAME, inbox_writer
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


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_a_lost_connection_costs_at_most_one_batch_and_the_next_reconnects(db: Database) -> None:
    """The server ends the writer's connection: the next batch is either written on a new connection (asyncpg
    noticed first) or answered Unavailable (it did not), never another error; the one after is written."""
    writer = inbox_writer(db, connections=1)
    written: dict[int, str] = {}
    try:
        for round_ in range(20):
            first = await writer.write([note(3 * round_)])
            async with db.connect(autocommit=True) as conn:
                query = (  # this test's database only: other runs on the same server keep their connections
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                )
                ended = await conn.execute(text(query), {"name": APPLICATION_NAME})
                assert ended.scalars().all() == [True]
            try:
                second = await writer.write([note(3 * round_ + 1)])
                written[int(second[0])] = f"/orders/{3 * round_ + 1}"  # type: ignore[arg-type]
            except Unavailable:
                pass
            third = await writer.write([note(3 * round_ + 2)])
            written[int(first[0])] = f"/orders/{3 * round_}"  # type: ignore[arg-type]
            written[int(third[0])] = f"/orders/{3 * round_ + 2}"  # type: ignore[arg-type]
    finally:
        await writer.close()

    assert {row[0]: row[1] for row in await stored(db)} == written


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
