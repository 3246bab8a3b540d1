"""Compare the event store with the sandbox oracle: the check behind `meli demo --exit-when-done`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from worker.store.db import Database
from worker.store.events import read_events

COMPARED = ("action", "order_reference", "buyer_id", "tracked_at", "amount", "currency", "dedupe_key")


def _key(event: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(event[name]) for name in COMPARED)


@dataclass
class Comparison:
    expected: Counter[tuple[str, ...]] = field(default_factory=Counter)
    stored: Counter[tuple[str, ...]] = field(default_factory=Counter)

    @property
    def missing(self) -> Counter[tuple[str, ...]]:
        return self.expected - self.stored

    @property
    def extra(self) -> Counter[tuple[str, ...]]:
        return self.stored - self.expected

    @property
    def exact(self) -> bool:
        return self.expected == self.stored

    def by_action(self) -> list[tuple[str, int, int, int, int]]:
        """(action, expected, stored, missing, extra or wrong) per action, sorted by action."""
        actions = sorted({key[0] for key in self.expected} | {key[0] for key in self.stored})
        rows = []
        for action in actions:

            def count(counter: Counter[tuple[str, ...]], action: str = action) -> int:
                return sum(n for key, n in counter.items() if key[0] == action)

            rows.append((action, count(self.expected), count(self.stored), count(self.missing), count(self.extra)))
        return rows


async def stored_events(db: Database, business_id: int) -> list[dict[str, Any]]:
    """The business's events in the oracle's shape."""
    events = []
    after = 0
    while batch := await read_events(db, business_id=business_id, after=after, limit=5000):
        for view in batch:
            events.append(view.to_json() | {"buyer_id": view.subscriber_external_id})
        after = batch[-1].id
    return events


def compare(
    expected: list[dict[str, Any]], stored: list[dict[str, Any]], comparison: Comparison | None = None
) -> Comparison:
    comparison = comparison or Comparison()
    comparison.expected.update(_key(event) for event in expected)
    comparison.stored.update(_key(event) for event in stored)
    return comparison
