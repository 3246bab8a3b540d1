"""Simulated time: resource times are integer milliseconds since the epoch (UTC), never the wall clock.

ML renders times with the site's UTC offset and millisecond precision (`2026-03-02T09:00:00.000-03:00`);
the oracle renders UTC with `Z`. Integer arithmetic only, so the same seed gives byte-identical text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
SECOND: Final = 1000
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR


class BadInstant(ValueError):
    """A time in a request that is not ISO 8601 with an offset."""


def parse_instant(text: str) -> int:
    """ISO 8601 with an offset (or `Z`) -> epoch milliseconds. Naive times are refused."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInstant(f"invalid date: {text!r}") from None
    if value.tzinfo is None:
        raise BadInstant(f"date without a UTC offset: {text!r}")
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def iso_local(ms: int, utc_offset_minutes: int) -> str:
    """Epoch ms rendered like ML does for a site: `2026-03-02T09:00:00.000-03:00`."""
    local = EPOCH + timedelta(milliseconds=ms + utc_offset_minutes * MINUTE)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}{_offset_text(utc_offset_minutes)}"


def iso_utc(ms: int) -> str:
    """Epoch ms rendered in UTC with `Z` and milliseconds: `2026-03-02T12:00:00.000Z`."""
    value = EPOCH + timedelta(milliseconds=ms)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def tz(utc_offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=utc_offset_minutes))
