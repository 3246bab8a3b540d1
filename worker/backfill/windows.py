"""Date windows for ML's order search, as pure functions: no I/O, no clock (times are passed in).

ML's `/orders/search` pages hold at most 50 orders and refuse large offsets, so a date range is walked as
windows that each fit under the offset cap: a window whose `paging.total` exceeds the cap is split into
pieces sized from that total (adaptive: a piece that is still too dense is split again when it is probed).
Windows are half-open [start, end) on millisecond boundaries; ML's `.to` is inclusive, so it gets end - 1 ms.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

PAGE_SIZE: Final = 50  # ML's largest orders search page
MIN_WINDOW: Final = timedelta(seconds=1)
FILL: Final = 0.7  # pieces aim at 70% of the cap, so one density bump rarely needs a second split
MAX_PIECES: Final = 64
ONE_MS: Final = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime  # exclusive


@dataclass(frozen=True)
class PhasePlan:
    phase: str  # recent | history | manual
    priority: int
    since: datetime
    until: datetime


def to_ms(moment: datetime) -> datetime:
    """The same instant in UTC, truncated to whole milliseconds (ML's search precision)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def ml_time(moment: datetime) -> str:
    """`2026-11-01T00:00:00.000-00:00`, the format of ML's search examples."""
    moment = to_ms(moment)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}-00:00"


def search_params(span: Span, field: str, offset: int, status: str | None = None) -> dict[str, str]:
    """Query of one page: orders whose `field` (date_created, date_last_updated) is in the span, oldest first."""
    params = {
        f"order.{field}.from": ml_time(span.start),
        f"order.{field}.to": ml_time(span.end - ONE_MS),
        "sort": "date_asc",
        "offset": str(offset),
        "limit": str(PAGE_SIZE),
    }
    if status is not None:
        params["order.status"] = status
    return params


def fits(total: int, cap: int) -> bool:
    """Every order of a window with this total is reachable with offsets below the cap."""
    return total <= cap


def pieces(span: Span, total: int, cap: int) -> list[Span]:
    """Split a too-dense span into pieces of about `FILL * cap` orders each, if its orders were spread evenly.
    Empty when the span is too short to split (the caller then walks what the cap allows)."""
    wanted = min(MAX_PIECES, max(2, math.ceil(total / (cap * FILL))))
    length = span.end - span.start
    count = min(wanted, length // MIN_WINDOW)
    if count < 2:
        return []
    bounds = [to_ms(span.start + length * index / count) for index in range(count)] + [span.end]
    return [Span(low, high) for low, high in itertools.pairwise(bounds) if high > low]


def initial_phases(now: datetime, recent_days: int, depth_days: int) -> list[PhasePlan]:
    """The import on connect: the last `recent_days` first (recent buyers within minutes), then the older
    history back to `depth_days` ago."""
    now = to_ms(now)
    depth = now - timedelta(days=depth_days)
    recent = max(now - timedelta(days=recent_days), depth)
    plans = [PhasePlan("recent", 0, recent, now)]
    if depth < recent:
        plans.append(PhasePlan("history", 1, depth, recent))
    return plans


def manual_phase(since: datetime, until: datetime) -> PhasePlan:
    return PhasePlan("manual", 2, to_ms(since), to_ms(until))
