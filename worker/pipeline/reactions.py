"""The one table from error class to reaction, and the one backoff, for everything that syncs ML documents:
notification drains, refetches, catch-ups, imports and re-syncs all ask `reaction_to(error)`.

The HTTP client has already retried what a retry in the same breath can fix (connectors/http.py); what reaches
here is what it could not. The table is read most specific class first.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Final

from connectors.errors import (
    AuthError,
    InvalidRecord,
    MeliError,
    PermanentError,
    RateLimited,
    RemoteNotFound,
    TransientError,
)
from worker.errors import NotOwned, Unavailable


class Reaction(StrEnum):
    RETRY = "retry"  # try again later with backoff, while the attempt budget and the tries last
    PARK = "park"  # the seller's consent is gone: wait until it reconnects
    FAIL = "fail"  # record why and stop: trying again cannot help
    IGNORE = "ignore"  # not this seller's document: skip it, count it
    STOP = "stop"  # our own database or Redis is away: stop the work, leave it as it was, retry the job


REACTIONS: Final[dict[type[MeliError], Reaction]] = {
    RateLimited: Reaction.RETRY,
    TransientError: Reaction.RETRY,
    AuthError: Reaction.PARK,
    NotOwned: Reaction.IGNORE,
    RemoteNotFound: Reaction.FAIL,
    PermanentError: Reaction.FAIL,
    InvalidRecord: Reaction.FAIL,
    Unavailable: Reaction.STOP,
}
# How bad each reaction is for work that depends on several fetches (the worst one decides).
SEVERITY: Final = (Reaction.IGNORE, Reaction.FAIL, Reaction.RETRY, Reaction.PARK, Reaction.STOP)


def reaction_to(error: MeliError) -> Reaction:
    for kind in type(error).__mro__:
        if kind in REACTIONS:
            return REACTIONS[kind]
    return Reaction.FAIL


def worst(reactions: list[Reaction]) -> Reaction | None:
    return max(reactions, key=SEVERITY.index) if reactions else None


def backoff(attempt: int, cap: float = 60.0, jitter: bool = False) -> float:
    """Seconds before try `attempt + 1`: 2, 4, 8 ... up to `cap`; with jitter, a random wait up to that."""
    delay = min(cap, 2.0**attempt)
    return random.uniform(0, delay) if jitter else delay
