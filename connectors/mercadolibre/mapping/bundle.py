"""Inputs and outputs of the order mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.events import Action, Event, OrderSnapshot, Subscriber
from connectors.mercadolibre.payloads import Claim, Order, Payment, Shipment, ShipmentHistoryEntry


@dataclass(frozen=True)
class OrderBundle:
    """What we know about one order. None means "not fetched / unknown": it suppresses only the events that
    need that document, it is never an error."""

    order: Order
    shipment: Shipment | None = None
    shipment_history: Sequence[ShipmentHistoryEntry] | None = None
    payments: Mapping[str, Payment] | None = None  # full `/collections/{id}` documents by payment id
    claims: Sequence[Claim] | None = None
    raw: Mapping[str, Any] | None = None  # the order JSON as received, kept on the snapshot


@dataclass(frozen=True)
class MappingOptions:
    include_delivered: bool = False
    include_product_purchased: bool = False


class Pending(str):
    """A problem a later fetch can solve: a document the mapping needs is unknown, or says its state is still
    changing (a refund in process). The worker fetches the order again later; everything else is final."""

    __slots__ = ()


@dataclass(frozen=True)
class MappingResult:
    subscriber: Subscriber
    order: OrderSnapshot
    events: list[Event]
    problems: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[str]:
        """The problems that fetching the order again later may solve."""
        return [problem for problem in self.problems if isinstance(problem, Pending)]


@dataclass(frozen=True)
class OrderContext:
    """The parts of an order every event of it repeats."""

    order_id: str
    buyer_id: str
    currency: str | None
    total_amount: Decimal | None
    properties: Mapping[str, Any]

    def event(
        self, action: Action, tracked_at: datetime, dedupe_key: str, amount: Decimal | None, **properties: Any
    ) -> Event:
        return Event(
            action=action,
            subscriber_external_id=self.buyer_id,
            tracked_at=tracked_at,
            dedupe_key=dedupe_key,
            order_reference=self.order_id,
            amount=amount,
            currency=self.currency,
            properties={**self.properties, **properties},
        )


# A mapping rule: the events one row of docs/event-mapping.md yields for a bundle, and any problems met.
Outcome = tuple[list[Event], list[str]]
Rule = Callable[[OrderBundle, OrderContext, MappingOptions], Outcome]
