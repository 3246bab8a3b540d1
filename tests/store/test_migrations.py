"""Migrations from empty on both databases, and models that match them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import _admin
from worker.store.db import open_database
from worker.store.migrate import schema_diff, upgrade


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_models_match_migrations(migrated_urls: dict[str, str], dialect: str) -> None:
    db = open_database(migrated_urls[dialect])
    try:
        assert await schema_diff(db) == []
        assert await upgrade(db) == "0014_webhooks"  # running it again is a no-op
    finally:
        await db.close()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_0006_keeps_businesses_accounts_and_tokens_and_salts_each_business(
    dialect: str, tmp_path: Path, pg_url: str
) -> None:
    """SQLite rebuilds `business` and `ml_account` (which other tables refer to) to change them."""
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'old.db'}" if dialect == "sqlite" else pg_url.rsplit("/", 1)[0] + "/meli_mig6"
    )
    if dialect == "postgresql":
        await _admin('DROP DATABASE IF EXISTS "meli_mig6" WITH (FORCE)')
        await _admin('CREATE DATABASE "meli_mig6"')
    db = open_database(url)
    try:
        await upgrade(db, "0005")
        async with db.connect() as conn:
            for statement in OLD_ROWS:
                await conn.execute(text(statement))
        at = await upgrade(db, "0006_security")
        async with db.connect() as conn:
            salts = (await conn.execute(text("SELECT id, signing_salt FROM business ORDER BY id"))).all()
            kept = (
                await conn.execute(
                    text("SELECT a.seller_id, t.version FROM ml_account a JOIN oauth_token t ON t.account_id = a.id")
                )
            ).all()
    finally:
        await db.close()
        if dialect == "postgresql":
            await _admin('DROP DATABASE IF EXISTS "meli_mig6" WITH (FORCE)')

    assert at == "0006_security"
    assert [business_id for business_id, _ in salts] == [1, 2]
    assert len({salt for _, salt in salts}) == 2 and all(len(salt) == 32 for _, salt in salts)
    assert kept == [(700000001, 3)]


OLD_ROWS = [
    "INSERT INTO business (id, name, country, api_key_hash, created_at) VALUES (1, 'a', 'CO', 'h1', '2026-11-01')",
    "INSERT INTO business (id, name, country, api_key_hash, created_at) VALUES (2, 'b', 'AR', 'h2', '2026-11-01')",
    "INSERT INTO ml_account (id, business_id, seller_id, site_id, nickname, status, created_at, updated_at, "
    "connected_at) VALUES (1, 1, 700000001, 'MCO', 'A', 'active', '2026-11-01', '2026-11-01', '2026-11-01')",
    "INSERT INTO oauth_token (account_id, access_token_enc, expires_at, scope, version, updated_at) "
    "VALUES (1, 'x', '2026-11-01', '', 3, '2026-11-01')",
]
