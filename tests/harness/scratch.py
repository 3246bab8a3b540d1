"""A database of its own for a migration test: a SQLite file, or a PostgreSQL database created for the test and
dropped after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.conftest import _admin
from worker.store.db import Database, open_database


@asynccontextmanager
async def scratch_database(dialect: str, tmp_path: Path, pg_url: str, name: str) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}" if dialect == "sqlite" else pg_url.rsplit("/", 1)[0] + f"/{name}"
    if dialect == "postgresql":
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _admin(f'CREATE DATABASE "{name}"')
    db = open_database(url)
    try:
        yield db
    finally:
        await db.close()
        if dialect == "postgresql":
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
