"""What every subcommand shares: settings, running a coroutine, turning expected errors into exit 1."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connectors.errors import MeliError
from worker.logs import configure_logging
from worker.settings import Settings, load_settings

T = TypeVar("T")


class CliState:
    """Holds the settings the group built, so subcommands share one composition root."""

    def __init__(self, env_file: str | None) -> None:
        self.env_file = env_file
        self._settings: Settings | None = None

    def settings(self, **overrides: object) -> Settings:
        if self._settings is None or overrides:
            if self.env_file:
                overrides.setdefault("_env_file", self.env_file)
            self._settings = load_settings(**overrides)
            configure_logging(self._settings.log_level, self._settings.log_format)
        return self._settings


def existing_database(settings: Settings) -> str:
    """The database URL, refused with a hint when it names a SQLite file that does not exist yet (opening it
    would leave an empty file behind). `meli migrate` creates it."""
    url = settings.database_url
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # open_database says what is wrong with it
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" and not Path(path).exists():
        raise MeliError(
            f"no database at {path}: run `meli migrate` to create it, or set MELI_DATABASE_URL "
            "(`meli demo` prints the one it uses)"
        )
    return url


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def loop_factory(name: str = "asyncio") -> Callable[[], asyncio.AbstractEventLoop]:
    """`uvloop` (libuv: fewer CPU cycles per socket event and callback than asyncio's own loop) when asked for
    and installed, else asyncio's loop."""
    if name == "uvloop":
        try:
            import uvloop
        except ImportError:
            return asyncio.new_event_loop
        return uvloop.new_event_loop
    return asyncio.new_event_loop


def run(coro_factory: Callable[[], Coroutine[Any, Any, T]], loop: str = "asyncio") -> T:
    """Run a coroutine; an expected error (MeliError) ends the command with one line and exit code 1."""
    try:
        with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
            return runner.run(coro_factory())
    except MeliError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    raise AssertionError("unreachable")


def guarded(build: Callable[[], T]) -> T:
    """Call a synchronous step (e.g. loading settings) with the same error handling as `run`."""
    try:
        return build()
    except MeliError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str))


class Moment(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 date or datetime; a date or naive time is taken as UTC."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or datetime (e.g. 2026-11-01 or 2026-11-01T10:00Z)")
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
