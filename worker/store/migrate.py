"""Run the Alembic migrations programmatically on our own engine."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import worker.store.models  # noqa: F401 - registers the tables
from worker.errors import ConfigError
from worker.store.db import Database


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("migrations")))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def upgrade(db: Database, revision: str = "head") -> str | None:
    """Apply migrations up to `revision`; returns the revision the database is at afterwards.

    SQLite changes some tables by rebuilding them (copy, drop, rename), and dropping a table other tables
    refer to would trip their foreign keys: they are off while the migrations run (SQLite only switches them
    outside a transaction, so before the first statement and after the commit), then checked and back on."""
    if db.dialect != "sqlite":
        async with db.connect() as connection:
            await connection.run_sync(_upgrade, revision)
            return await connection.run_sync(_current)
    try:
        async with db.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.run_sync(_upgrade, revision)
            await connection.commit()
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()
            current = await connection.run_sync(_current)
    except (OperationalError, OSError) as exc:
        raise db.unavailable(exc) from None
    if broken:
        raise ConfigError(f"the migrated database has {len(broken)} rows whose foreign keys point nowhere")
    return current


async def schema_diff(db: Database) -> list[Any]:
    """What autogenerate would change: empty when models and migrations agree."""
    async with db.connect() as connection:
        return await connection.run_sync(_diff)
