"""The webhook's inbox writes: each batch of notifications in one statement, on connections kept for it.

PostgreSQL: one `INSERT ... SELECT` from a JSON array of the rows per batch, ids taken from the table's sequence and
returned in the batch's order, on a small asyncpg pool of its own (one connection per batch in flight). A pooled
SQLAlchemy checkout, the separate id query and a COPY cost more client CPU per batch, and on the webhook that CPU is
the throughput (figures in benchmarks/RESULTS.md). The statement is atomic and leaves no session state, so connections
go back to the pool without a reset. A batch the database refuses as data (a row we failed to validate) is written
again row by row, so only the offending notification is refused. SQLite: `record_notifications`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import asyncpg
import orjson
from sqlalchemy.engine import make_url

from connectors.errors import InvalidRecord
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.inbox import NewNotification, record_notifications

APPLICATION_NAME = "meli-webhook-inbox"  # how its connections show in pg_stat_activity
Result = int | InvalidRecord  # the new row's id, or why this one notification could not be recorded

# The batch travels as one JSON array of rows (`_rows`): asyncpg encodes one text parameter instead of eleven
# arrays of 20-60 values each (less client CPU), and jsonb is parsed once, so the statement is no slower.
# `new` is materialized (nextval is volatile): the ids inserted are the ids returned, in the batch's order (`n`).
_INSERT = """
WITH new AS (
  SELECT nextval(pg_get_serial_sequence('notification', 'id')) AS id, r, n
  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(r, n)
), saved AS (
  INSERT INTO notification (id, received_at, topic, resource, user_id, notification_id, account_id, kind,
                            resource_id, origin, status, reason, attempts, body, body_sha256, processed_at)
  SELECT id, $1::timestamptz, r->>0, r->>1, (r->>2)::bigint, r->>3, (r->>4)::int, r->>5, r->>6, r->>7,
         r->>8, r->>9, 0, (r->>10)::json, r->>11,
         CASE WHEN r->>8 IN ('pending', 'throttled') THEN NULL ELSE $1::timestamptz END
  FROM new
)
SELECT id FROM new ORDER BY n
"""
# What the database refuses about the data itself (a value too long, a character it cannot store, a constraint);
# every other error means it cannot take writes now, and the whole batch is answered 503 (ML sends it again).
_REFUSED = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)
_OUTAGE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)


class InboxWriter(Protocol):
    async def write(self, items: Sequence[NewNotification]) -> list[Result]: ...

    async def close(self) -> None: ...


def inbox_writer(db: Database, connections: int) -> InboxWriter:
    """The writer for this database; `connections`: how many batches may be written at once."""
    if db.dialect == "postgresql":
        return PgInboxWriter(db, connections)
    return SqlInboxWriter(db)


class SqlInboxWriter:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def write(self, items: Sequence[NewNotification]) -> list[Result]:
        return list(await record_notifications(self._db, items))

    async def close(self) -> None:
        return None


class PgInboxWriter:
    def __init__(self, db: Database, connections: int) -> None:
        url = make_url(db.engine.url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._db = db
        self._connections = connections
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None
        self._opening = asyncio.Lock()

    async def write(self, items: Sequence[NewNotification]) -> list[Result]:
        if not items:
            return []
        now = utcnow()
        try:
            return list(await self._insert(items, now))
        except _REFUSED as exc:
            if len(items) == 1:
                return [_refused(exc)]
        return [await self._one(item, now) for item in items]  # find the rows the database refuses

    async def _one(self, item: NewNotification, now: datetime) -> Result:
        try:
            return (await self._insert([item], now))[0]
        except _REFUSED as exc:
            return _refused(exc)

    async def _insert(self, items: Sequence[NewNotification], now: datetime) -> list[int]:
        try:
            pool = await self._open()
            async with pool.acquire() as connection:
                try:
                    records = await connection.fetch(_INSERT, now, _rows(items))
                except BaseException as exc:  # in an unknown state (e.g. the server ended it): never reused
                    if not isinstance(exc, _REFUSED):
                        connection.terminate()
                    raise
        except _OUTAGE as exc:
            if isinstance(exc, _REFUSED):
                raise
            raise self._db.unavailable(exc) from None
        return [int(record[0]) for record in records]

    async def _open(self) -> asyncpg.Pool[asyncpg.Record]:
        if self._pool is not None:
            return self._pool
        async with self._opening:  # created on first use: the web process starts even while PostgreSQL is down
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=0,
                    max_size=self._connections,
                    reset=_no_reset,
                    timeout=5,
                    server_settings={"application_name": APPLICATION_NAME},
                    command_timeout=10,
                )
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


def _refused(exc: Exception) -> InvalidRecord:
    return InvalidRecord("notification", f"the database refused it: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]


async def _no_reset(_connection: asyncpg.Connection[Any]) -> None:
    """One autocommit statement per use leaves nothing to reset (asyncpg's reset is a round trip per batch)."""


def _rows(items: Sequence[NewNotification]) -> str:
    """The batch as `_INSERT` reads it: one JSON array per row, fields in its column order."""
    return orjson.dumps(
        [
            (
                item.topic[:60],
                item.resource[:300],
                item.user_id,
                item.notification_id,
                item.account_id,
                item.kind,
                item.resource_id,
                item.origin,
                item.status.value,
                item.reason,
                item.body_text if item.body_text is not None else json.dumps(item.body),
                item.body_sha256,
            )
            for item in items
        ]
    ).decode()
