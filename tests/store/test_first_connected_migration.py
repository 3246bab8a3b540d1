"""Migration 0010 (first connection date) on both databases: accounts stored before it keep their connection
date as the first one, and it goes down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from tests.harness.scratch import scratch_database
from tests.store.test_delivery_migration import _downgrade
from worker.store.db import Database
from worker.store.migrate import upgrade

ROWS = [
    "INSERT INTO business (id, name, country, api_key_hash, signing_salt, created_at) "
    "VALUES (1, 'a', 'CO', 'h1', 's1', '2026-11-01')",
    "INSERT INTO ml_account (id, business_id, seller_id, site_id, nickname, status, created_at, updated_at, "
    "connected_at) VALUES (1, 1, 700000001, 'MCO', 'A', 'active', '2026-11-01', '2026-11-02', '2026-11-03')",
]


def _columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("ml_account")}


async def _check(db: Database) -> None:
    await upgrade(db, "0009_delivery")
    async with db.connect() as conn:
        for statement in ROWS:
            await conn.execute(text(statement))
    assert await upgrade(db, "0010_first_connected") == "0010_first_connected"
    async with db.connect() as conn:
        first = (await conn.execute(text("SELECT first_connected_at FROM ml_account"))).scalar_one()
    assert str(first).startswith("2026-11-03")
    async with db.connect() as conn:
        await conn.run_sync(_downgrade, "0009_delivery")
        assert "first_connected_at" not in await conn.run_sync(_columns)
        kept = (await conn.execute(text("SELECT seller_id FROM ml_account"))).scalar_one()
    assert kept == 700000001
    assert await upgrade(db, "0010_first_connected") == "0010_first_connected"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_0010_keeps_the_connection_date_as_the_first_and_goes_down_and_up(
    dialect: str, tmp_path: Path, pg_url: str
) -> None:
    async with scratch_database(dialect, tmp_path, pg_url, "meli_mig10") as db:
        await _check(db)
