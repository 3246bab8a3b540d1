"""Migrations from empty on both databases, and models that match them."""

from __future__ import annotations

import pytest

from worker.store.db import open_database
from worker.store.migrate import schema_diff, upgrade


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_models_match_migrations(migrated_urls: dict[str, str], dialect: str) -> None:
    db = open_database(migrated_urls[dialect])
    try:
        assert await schema_diff(db) == []
        assert await upgrade(db) == "0006_security"  # running it again is a no-op
    finally:
        await db.close()
