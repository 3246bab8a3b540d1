"""Shared fixtures: a throw-away PostgreSQL database and SQLite file per test run, Redis on the machine.

PostgreSQL and Redis are real servers (`make test` starts them when they are not running). Each run creates
its own database `meli_test_<random>` and drops it at the end, so parallel runs never collide.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import structlog
from sqlalchemy import text

from worker.logs import configure_logging
from worker.settings import Settings
from worker.store.db import Database, open_database
from worker.store.migrate import upgrade


def pytest_configure(config: pytest.Config) -> None:
    """A suite started in the background (`cmd &`, `nohup`, some CI runners) ignores SIGINT, and so would every
    process it starts: the tests that press Ctrl-C on a `meli` process need it to take SIGINT as a terminal does."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a blocked SIGINT is inherited the same way


PG_ADMIN_DSN = os.environ.get("MELI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("MELI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TABLES = (
    "webhook_message",
    "webhook_endpoint",
    "delivery",
    "hellotext_ref",
    "hellotext_settings",
    "refetch",
    "backfill_window",
    "backfill",
    "event",
    "order_object",
    "notification",
    "ml_document",
    "oauth_token",
    "ml_account",
    "subscriber",
    "connect_link",
    "business",
)
RUN_ID = uuid.uuid4().hex[:10]


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"meli_test_{RUN_ID}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield f"{base}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "meli.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def migrated_urls(pg_url: str, sqlite_url: str) -> dict[str, str]:
    async def migrate(url: str) -> None:
        db = open_database(url)
        try:
            await upgrade(db)
        finally:
            await db.close()

    for url in (pg_url, sqlite_url):
        asyncio.run(migrate(url))
    return {"postgresql": pg_url, "sqlite": sqlite_url}


async def _truncate(db: Database) -> None:
    async with db.connect() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, migrated_urls: dict[str, str]) -> AsyncIterator[Database]:
    """A migrated, empty event store on each database."""
    database = open_database(migrated_urls[request.param])
    await _truncate(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def settings(migrated_urls: dict[str, str]) -> Settings:
    return Settings(
        _env_file=None,
        database_url=migrated_urls["sqlite"],
        redis_url=REDIS_URL,
        queue_name=f"meli:test:{RUN_ID}:{uuid.uuid4().hex[:8]}",
        worker_metrics_port=0,
    )


@pytest.fixture
def log_output(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Logging exactly as `meli serve` configures it (structlog and stdlib, to stderr), at debug level; the
    previous configuration is put back afterwards."""
    root = logging.getLogger()
    handlers, level, factory = root.handlers[:], root.level, logging.getLogRecordFactory()
    output = io.StringIO()
    monkeypatch.setattr(sys, "stderr", output)
    configure_logging("debug", "json")
    yield output
    structlog.reset_defaults()
    root.handlers[:], root.level = handlers, level
    logging.setLogRecordFactory(factory)
