"""Pure rules of delivery: which events are sent (the history setting), how long a failed delivery waits
(exponential backoff with full jitter, giving up to the review queue after about a day), and when a lost answer
may be repeated."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
GIVE_UP_AFTER = timedelta(hours=24)
# Hellotext keeps one built-in order event per order and action for an identified profile, so sending one of
# these again after a lost answer cannot add a second event; refunds and other actions have no such guard.
COLLAPSED_ACTIONS = frozenset(
    {"order.placed", "order.confirmed", "order.cancelled", "order.shipped", "order.delivered"}
)


def in_history_window(tracked_at: datetime, connected_at: datetime, history_days: int | None) -> bool:
    """Events since the connection are always sent; older ones (history) within `history_days` before it, all
    of them when it is None, none when it is 0."""
    if tracked_at >= connected_at or history_days is None:
        return True
    return tracked_at >= connected_at - timedelta(days=history_days)


def next_attempt(attempts: int, first_failed_at: datetime, now: datetime, rng: random.Random) -> datetime | None:
    """When to try again after the `attempts`-th failure (full jitter: anywhere up to 30 s · 2^(attempts-1),
    at most 4 h); None once failures have lasted a day: the delivery goes to review."""
    if now - first_failed_at >= GIVE_UP_AFTER:
        return None
    ceiling = min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(attempts - 1, 20))
    return now + timedelta(seconds=rng.uniform(0, ceiling.total_seconds()))


def may_repeat_after_lost_answer(action: str) -> bool:
    return action in COLLAPSED_ACTIONS
