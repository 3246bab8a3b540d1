"""The world: every resource of the run, indexes for the API, the ground-truth log and the outbox.

Nothing here knows HTTP. Transitions (`steps_*.py`) mutate the world through `record` (ground truth)
and `emit` (the notifications ML would send).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from sandboxes.mercadolibre.facts import Fact, FactKind
from sandboxes.mercadolibre.model import Item, Order, Payment, User
from sandboxes.mercadolibre.model_claim import Claim
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.sites import SITES, Site

# First id of each kind; ids are handed out in sequence so the same seed gives the same ids.
ID_BASES: Final[dict[str, int]] = {
    "seller": 241_530_000,
    "buyer": 1_120_000_000,
    "order": 2_000_010_000_000_000,
    "pack": 2_000_005_000_000_000,
    "payment": 91_200_000_000,
    "shipment": 44_010_000_000,
    "claim": 5_300_000_000,
    "refund": 1_870_000_000,
    "item": 1_400_000_000,
    "return": 57_300_000,
    "return_shipment": 44_090_000_000,
}
# Global Selling sellers hear about the same changes under `marketplace_*` topics (GS,
# https://global-selling.mercadolibre.com/devsite/receive-notifications): topic -> (topic, old prefix, new).
GLOBAL_SELLING_TOPICS: Final[dict[str, tuple[str, str, str]]] = {
    "orders_v2": ("marketplace_orders", "/orders/", "/marketplace/orders/"),
    "shipments": ("marketplace_shipments", "/shipments/", "/marketplace/shipments/"),
    "post_purchase": ("marketplace_claims", "/post-purchase/v1/claims/", "/marketplace/claims/"),
}


@dataclass(slots=True, frozen=True)
class Note:
    """A notification ML would send for a change (delivery is the notifier's business)."""

    topic: str
    resource: str
    user_id: int
    at: int
    actions: tuple[str, ...] = ()


class IdAllocator:
    def __init__(self) -> None:
        self._next = dict(ID_BASES)

    def next(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value


class World:
    """All resources plus per-seller indexes. `cursor_ms` is the simulated "now" of live activity."""

    def __init__(self, start_ms: int) -> None:
        self.start_ms = start_ms
        self.cursor_ms = start_ms
        self.applying_ms = start_ms  # the time of the step being applied (facts record when they became known)
        self.ids = IdAllocator()
        self.users: dict[int, User] = {}
        self.sellers: list[int] = []
        self.logins: dict[str, int] = {}
        self.buyers: dict[int, list[int]] = {}
        self.items: dict[int, list[Item]] = {}
        self.orders: dict[int, Order] = {}
        self.payments: dict[int, Payment] = {}
        self.shipments: dict[int, Shipment] = {}
        self.claims: dict[int, Claim] = {}
        self.seller_orders: dict[int, list[Order]] = {}
        self.seller_created: dict[int, list[int]] = {}
        self.seller_claims: dict[int, list[Claim]] = {}
        self.facts: dict[int, list[Fact]] = {}
        self.scenarios: Counter[str] = Counter()  # scenarios the planner drew, for tests and summaries
        self.notify = True
        self.outbox: list[Note] = []
        self._seq = 0

    # --- registration -------------------------------------------------------------------------------
    def add_seller(self, user: User) -> None:
        self.users[user.id] = user
        self.sellers.append(user.id)
        if user.login:
            self.logins[user.login.lower()] = user.id
        self.logins[user.nickname.lower()] = user.id
        for index in (self.buyers, self.items, self.seller_orders, self.seller_created):
            index.setdefault(user.id, [])
        self.seller_claims.setdefault(user.id, [])
        self.facts.setdefault(user.id, [])

    def add_order(self, order: Order) -> None:
        """Orders are created in simulated-time order, so the per-seller list stays sorted."""
        self.orders[order.id] = order
        created = self.seller_created[order.seller_id]
        position = bisect.bisect_right(created, order.created_ms)
        created.insert(position, order.created_ms)
        self.seller_orders[order.seller_id].insert(position, order)

    def add_claim(self, claim: Claim) -> None:
        self.claims[claim.id] = claim
        self.seller_claims[claim.seller_id].append(claim)

    def site_of(self, user_id: int) -> Site:
        return SITES[self.users[user_id].site_id]

    def seller_ids(self) -> Iterator[int]:
        return iter(self.sellers)

    # --- ground truth and notifications ------------------------------------------------------------
    def record(
        self,
        kind: FactKind,
        at: int,
        seller_id: int,
        *,
        order_id: int | None = None,
        ref_id: int | None = None,
        detail: str | None = None,
        amount: Decimal | None = None,
        buyer_id: int | None = None,
        currency_id: str | None = None,
        order_ids: tuple[int, ...] = (),
        resource: str | None = None,
    ) -> None:
        self._seq += 1
        fact = Fact(
            self._seq, at, kind, seller_id, order_id, ref_id, detail, amount, buyer_id, currency_id, order_ids,
            resource, known_at=max(at, self.applying_ms),
        )  # fmt: skip
        self.facts[seller_id].append(fact)

    def emit(self, topic: str, resource: str, user_id: int, at: int, actions: tuple[str, ...] = ()) -> None:
        if not self.notify:
            return
        if topic in GLOBAL_SELLING_TOPICS and self.users[user_id].global_selling:
            topic, old, new = GLOBAL_SELLING_TOPICS[topic]
            resource, actions = resource.replace(old, new, 1), ()
        self.outbox.append(Note(topic, resource, user_id, at, actions))

    def drain(self) -> list[Note]:
        notes, self.outbox = self.outbox, []
        return notes
