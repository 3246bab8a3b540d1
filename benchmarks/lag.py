"""The latency benchmark's arithmetic: the driver's step rate for a notification rate, and the lag of each
stored event (see `latency.py` for why the lag is never underestimated)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

from sandboxes.mercadolibre.config import SandboxConfig
from sandboxes.mercadolibre.state import Sandbox
from sandboxes.mercadolibre.world import Note


def step_rate(seed: int, orders: int, notifications: float) -> float:
    """The driver's steps/s that yield `notifications`/s in this world (notes per step from an in-process dry run)."""
    dry = Sandbox(SandboxConfig(seed=seed, sellers=1, orders=orders))
    steps = dry.engine.pending
    notes: list[Note] = []
    dry.engine.listeners = [notes.extend]
    dry.engine.advance(None)
    return notifications * steps / len(notes)


@dataclass
class Lags:
    seconds: list[float]
    unmatched: int  # events with no inbox row at or after their transition (should be 0)
    early: int  # events stored before the notification of their transition arrived (counted as 0)


Pairs = list[tuple[datetime, datetime]]


def lags(notes: Pairs, events: Pairs) -> Lags:
    """`notes`: (ML change time, our received_at); `events`: (known_at, recorded_at)."""
    notes = sorted(notes)
    changes = [change for change, _ in notes]
    first_after = [received for _, received in notes]  # suffix minimum: earliest arrival at or after a change
    for i in range(len(first_after) - 2, -1, -1):
        first_after[i] = min(first_after[i], first_after[i + 1])
    values: list[float] = []
    unmatched = early = 0
    for tracked, recorded in events:
        i = bisect.bisect_left(changes, tracked)
        if i == len(changes):
            unmatched += 1
            continue
        lag = (recorded - first_after[i]).total_seconds()
        early += lag < 0
        values.append(max(0.0, lag))
    return Lags(values, unmatched, early)
