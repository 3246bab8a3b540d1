"""What the fake Hellotext holds: one `Account` (a Hellotext business) per private API token, with the records
created through the API, in creation order. This is the oracle: it follows only what happened inside the fake.

Ids are short random strings, like the ids Hellotext returns; they come from a seeded RNG so runs repeat.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

BUILT_IN_ORDER_ACTIONS = frozenset(
    {"order.placed", "order.confirmed", "order.cancelled", "order.shipped", "order.delivered"}
)
ALPHABET = string.ascii_letters + string.digits


@dataclass
class Account:
    """One Hellotext business. `events` are the events it keeps; `requests` counts every accepted track call."""

    name: str
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    track_requests: int = 0

    def keeps(self, event: dict[str, Any]) -> bool:
        """Hellotext keeps one built-in order event per order and action for an identified profile
        (tracking-events.md); any other accepted event is a new one."""
        if event["action"] not in BUILT_IN_ORDER_ACTIONS or not event.get("profile"):
            return True
        return not any(
            kept["action"] == event["action"] and kept["object"] == event["object"] and kept["profile"]
            for kept in self.events
        )


@dataclass
class HellotextState:
    seed: int = 7
    accounts: dict[str, Account] = field(default_factory=dict)  # private token -> account
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}/ids")

    def new_id(self) -> str:
        return "".join(self.rng.choice(ALPHABET) for _ in range(8))

    def add_account(self, token: str, name: str) -> Account:
        return self.accounts.setdefault(token, Account(name))

    def add_token(self, token: str, of: str) -> Account:
        """Another private token of the business that `of` opens (Hellotext lets a business have several)."""
        return self.accounts.setdefault(token, self.accounts[of])

    def revoke(self, token: str) -> bool:
        return self.accounts.pop(token, None) is not None

    def oracle(self, account: Account) -> dict[str, Any]:
        return {
            "name": account.name,
            "properties": list(account.properties.values()),
            "profiles": list(account.profiles.values()),
            "products": list(account.products.values()),
            "orders": list(account.orders.values()),
            "events": account.events,
            "track_requests": account.track_requests,
        }
