"""Engine and transactions. One `Database` per process, built by the composition root."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from worker.errors import ConfigError, Unavailable


def mask_url(url: str | URL) -> str:
    """The URL as it may appear in messages: the password replaced by ***."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except Exception:  # an unparsable URL still must not leak what looks like a password
        return "<unparsable database URL>"
    return parsed.render_as_string(hide_password=True)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes, no fsync per commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@dataclass
class Database:
    engine: AsyncEngine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def masked_url(self) -> str:
        return mask_url(self.engine.url)

    def on_statement(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every statement sent (an executemany counts once), e.g. to count them."""
        event.listen(self.engine.sync_engine, "after_cursor_execute", lambda *_: callback())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on error; connection errors become Unavailable."""
        with self._unavailable_on_outage():
            async with AsyncSession(self.engine, expire_on_commit=False) as session, session.begin():
                yield session

    @asynccontextmanager
    async def connect(self, *, autocommit: bool = False) -> AsyncIterator[AsyncConnection]:
        """`transaction` for Core statements: no ORM session, so hot paths skip its bookkeeping.

        `autocommit`: for one statement (atomic on its own), sent without BEGIN and COMMIT round trips."""
        with self._unavailable_on_outage():
            if autocommit:
                async with self.engine.connect() as conn:
                    yield await conn.execution_options(isolation_level="AUTOCOMMIT")
                return
            async with self.engine.begin() as conn:
                yield conn

    @contextmanager
    def _unavailable_on_outage(self) -> Iterator[None]:
        """Connection errors become Unavailable; SQLite's "database is locked" and friends stay data errors."""
        try:
            yield
        except (OperationalError, InterfaceError, OSError) as exc:
            if isinstance(exc, DBAPIError) and not exc.connection_invalidated and _is_data_error(exc):
                raise
            raise self.unavailable(exc) from None
        except DBAPIError as exc:
            if _sqlstate(exc) in CONTENTION:  # the work was undone whole: trying it again is safe
                raise Unavailable(f"database contention ({_reason(exc)}); try again") from None
            raise

    def unavailable(self, exc: BaseException) -> Unavailable:
        """The one-line error for a connection failure, password masked (also for the webhook's own pool)."""
        if "no such table" in _reason(exc):  # SQLite: the file exists, the schema does not
            return Unavailable(f"database {self.masked_url} has no tables yet: run `meli migrate` first")
        return Unavailable(f"cannot reach database {self.masked_url}: {_reason(exc)}")

    async def ping(self) -> None:
        async with self.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


def dump_json(value: Any) -> str:
    """JSON columns, written by orjson (C); the exact Decimals of ML documents become numbers again (a float
    prints as the shortest text that reads back to it, so money of up to 15 digits keeps its text)."""
    return orjson.dumps(value, default=_decimal, option=orjson.OPT_NON_STR_KEYS).decode()


def _decimal(value: object) -> object:
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


CONTENTION = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def _sqlstate(exc: DBAPIError) -> str | None:
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(source, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def _is_data_error(exc: DBAPIError) -> bool:
    """SQLite reports 'database is locked' and friends as OperationalError; those are not outages."""
    return "locked" in str(exc.orig).lower()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return first_line[:200]


def open_database(url: str, *, echo: bool = False, pool_size: int = 15) -> Database:
    """PostgreSQL: `pool_size` kept connections (+5 short-lived ones at peaks) per process; 100 connections,
    PostgreSQL's default limit, leave room for 4 processes (2 web, 2 workers) and tools."""
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"invalid database URL {mask_url(url)}") from None
    kwargs: dict[str, Any] = {"echo": echo, "json_serializer": dump_json}
    if _is_sqlite(parsed):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # No pre-ping (a round trip per checkout): a connection found dead fails its statement once, as
        # Unavailable, which callers retry; SQLAlchemy then replaces every pooled connection older than it.
        kwargs.update(pool_size=pool_size, max_overflow=5, pool_recycle=1800)
    try:
        engine = create_async_engine(parsed, **kwargs)
    except Exception as exc:  # e.g. unknown driver name
        raise ConfigError(f"cannot use database URL {mask_url(url)}: {_reason(exc)}") from None
    if _is_sqlite(parsed):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return Database(engine=engine)
