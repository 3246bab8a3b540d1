"""The query of `GET /api/v1/events`, read in one place: every parameter is honoured or the request is refused
with a message naming it. A parameter we do not know is refused too, so a typo never reads as "no filter"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.events import Origin
from connectors.mercadolibre.mapping import EMITTED_ACTIONS
from worker.store.event_queries import EventFilter, Position

MAX_LIMIT = 1000
MAX_AFTER = 10**18 - 1
SORTS = ("id", "tracked_at")
KNOWN = (
    *("after", "cursor", "limit", "sort"),
    *("action", "origin", "order", "subscriber", "tracked_since", "tracked_until"),
)
REFERENCE = re.compile(r"[0-9]{1,19}")
CURSOR_PATTERN = "^[0-9]{1,17}-[0-9]{1,18}$"
CURSOR = re.compile(CURSOR_PATTERN)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
UNENCODED_PLUS = re.compile(r" ([0-9]{2}:[0-9]{2})$")
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})", re.IGNORECASE
)


class BadQuery(ValueError):
    """The query cannot be honoured; the message says which parameter and why."""


@dataclass(frozen=True)
class EventQuery:
    only: EventFilter
    start: Position
    limit: int
    by_time: bool


def cursor_of(tracked_at: datetime, event_id: int) -> str:
    """A point of the `tracked_at` order: the event's time (microseconds since 1970, UTC) and its id."""
    return f"{(tracked_at - EPOCH) // MICROSECOND}-{event_id}"


def whole_number(name: str, raw: str, lowest: int, highest: int) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or not lowest <= int(raw) <= highest:
        raise BadQuery(f"{name} must be a whole number from {lowest} to {highest}")
    return int(raw)


def _moment(name: str, raw: str) -> datetime:
    raw = UNENCODED_PLUS.sub(r"+\1", raw)  # a `+01:00` sent without %2B arrives as ` 01:00`
    if not RFC3339.fullmatch(raw):
        raise BadQuery(f"{name} must be an RFC 3339 time with a zone, e.g. 2026-03-01T00:00:00Z")
    try:
        return datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except ValueError:
        raise BadQuery(f"{name} is not a real date and time") from None


def _choice(name: str, raw: str | None, allowed: tuple[str, ...]) -> str | None:
    if raw is not None and raw not in allowed:
        raise BadQuery(f"{name} must be one of {', '.join(allowed)}")
    return raw


def _reference(name: str, raw: str | None) -> str | None:
    if raw is not None and not REFERENCE.fullmatch(raw):
        raise BadQuery(f"{name} must be a Mercado Libre id (digits)")
    return raw


def _start(values: Mapping[str, str]) -> Position:
    """`after` and `cursor` are lower bounds in either order; each order continues with its own."""
    after = whole_number("after", values.get("after", "0"), 0, MAX_AFTER)
    if "cursor" not in values:
        return Position(after=after)
    if CURSOR.fullmatch(values["cursor"]) is None:
        raise BadQuery("cursor must be a next_cursor this API returned")
    micros, point_id = values["cursor"].split("-")
    return Position(after, EPOCH + int(micros) * MICROSECOND, int(point_id))


def parse_event_query(pairs: list[tuple[str, str]]) -> EventQuery:
    """Read the query's (name, value) pairs; raises BadQuery."""
    unknown = sorted({name for name, _ in pairs} - set(KNOWN))
    if unknown:
        raise BadQuery(f"unknown query parameter {', '.join(unknown)}; known: {', '.join(KNOWN)}")
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise BadQuery(f"{name} is given more than once")
        values[name] = value
    by_time = _choice("sort", values.get("sort"), SORTS) == "tracked_at"
    only = EventFilter(
        action=_choice("action", values.get("action"), EMITTED_ACTIONS),
        origin=_choice("origin", values.get("origin"), tuple(Origin)),
        order=_reference("order", values.get("order")),
        subscriber=_reference("subscriber", values.get("subscriber")),
        tracked_since=_moment("tracked_since", values["tracked_since"]) if "tracked_since" in values else None,
        tracked_until=_moment("tracked_until", values["tracked_until"]) if "tracked_until" in values else None,
    )
    limit = whole_number("limit", values.get("limit", "100"), 1, MAX_LIMIT)
    return EventQuery(only, _start(values), limit, by_time)
