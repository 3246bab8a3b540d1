"""Migration 0009 (delivery to Hellotext) on both databases: events stored before it get their delivery rows,
and it goes down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from tests.harness.scratch import scratch_database
from worker.store.db import Database
from worker.store.migrate import alembic_config, upgrade

ROWS = [
    "INSERT INTO business (id, name, country, api_key_hash, signing_salt, created_at) "
    "VALUES (1, 'a', 'CO', 'h1', 's1', '2026-11-01')",
    "INSERT INTO subscriber (id, business_id, source, external_id, created_at, updated_at) "
    "VALUES (1, 1, 'mercadolibre', '11', '2026-11-01', '2026-11-01')",
    "INSERT INTO event (id, action, business_id, subscriber_id, tracked_at, properties, source, origin, dedupe_key, "
    "recorded_at) VALUES (5, 'order.confirmed', 1, 1, '2026-11-01', '{}', 'mercadolibre', 'live', 'k', '2026-11-01')",
]


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _check(db: Database) -> None:
    await upgrade(db, "0008_inbox_due")
    async with db.connect() as conn:
        for statement in ROWS:
            await conn.execute(text(statement))
    assert await upgrade(db) == "0014_webhooks"
    async with db.connect() as conn:
        rows = (await conn.execute(text("SELECT event_id, business_id, status, attempts FROM delivery"))).all()
    assert [tuple(row) for row in rows] == [(5, 1, "pending", 0)]
    async with db.connect() as conn:
        await conn.run_sync(_downgrade, "0008_inbox_due")
        assert {"delivery", "hellotext_ref", "hellotext_settings"} & await conn.run_sync(_tables) == set()
    assert await upgrade(db) == "0014_webhooks"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_0009_gives_stored_events_a_delivery_and_goes_down_and_up(
    dialect: str, tmp_path: Path, pg_url: str
) -> None:
    async with scratch_database(dialect, tmp_path, pg_url, "meli_mig9") as db:
        await _check(db)
