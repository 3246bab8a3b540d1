"""The per-seller intake gate: which notifications of a connected seller become a fetch of their own.

A seller gets `rate` notifications a second (with a burst) per web process, and at most `max_pending` pending
rows. Beyond either, a notification is still recorded and answered 200, but as `throttled`: no job of its own;
the seller's catch-up re-sync (one orders search of its recently updated orders) covers it within about a
second. A forger who knows a seller id therefore costs that seller a search a second, not a fetch per
notification, and cannot push a genuine notification behind thousands of forged ones.

In memory (GCRA: one timestamp per seller), so the webhook makes no extra round trip; web processes each keep
their own budget.
"""

from __future__ import annotations

import time
from typing import Protocol

OVER_BUDGET = "over the seller's intake budget"
TOO_MANY_PENDING = "too many pending notifications for this seller"
MAX_TRACKED = 100_000  # sellers remembered; only connected sellers reach the gate


class Seller(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def pending(self) -> int: ...


class IntakeGate:
    def __init__(self, rate: float, burst: int, max_pending: int) -> None:
        self._interval = 1.0 / rate
        self._tolerance = self._interval * (burst - 1)
        self._max_pending = max_pending
        self._tat: dict[int, float] = {}
        self._added: dict[int, tuple[Seller, int]] = {}  # rows made pending since `pending` was read

    def admit(self, seller: Seller) -> str | None:
        """None when the notification gets a fetch of its own (and is counted); otherwise why it is throttled."""
        seen, added = self._added.get(seller.id, (seller, 0))
        if seen is not seller:  # the directory read the count again: it includes what we added before
            added = 0
        if seller.pending + added >= self._max_pending:
            return TOO_MANY_PENDING
        now = time.monotonic()
        tat = max(self._tat.get(seller.id, now), now)
        if tat - now > self._tolerance:
            return OVER_BUDGET
        if len(self._tat) > MAX_TRACKED:
            self._tat.clear()
            self._added.clear()
        self._tat[seller.id] = tat + self._interval
        self._added[seller.id] = (seller, added + 1)
        return None
