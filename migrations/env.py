"""Alembic environment. `meli migrate` hands in a live connection; the plain `alembic` command builds one
from MELI_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import worker.store.models  # noqa: F401 - registers the tables on SQLModel.metadata

target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from worker.store.db import open_database

    url = os.environ.get("MELI_DATABASE_URL", "sqlite+aiosqlite:///./meli.db")
    db = open_database(url)
    try:
        async with db.engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await db.close()


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_standalone())
