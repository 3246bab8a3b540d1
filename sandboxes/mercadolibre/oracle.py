"""The oracle: the exact events a correct integration ends up with, folded from ground-truth facts.

It implements docs/event-mapping.md from what *happened* (the fact log), never from resource snapshots
and never with the worker's mapping code:

- `order.confirmed`: first PAYMENT_APPROVED of the order; amount = sum of the approved payments'
  `total_paid_amount` (a payment keeps `date_approved` whatever happens after).
- `order.cancelled`: ORDER_CANCELLED unless its code is `pack_splitted`, or ORDER_UNFULFILLED (refund to
  balance). The time is the cancellation (= `cancel_detail.date`; for `unfulfilled` the order's last
  change, which the engine keeps terminal). Amount = order total.
- `order.shipped`: first SHIPMENT_STATUS `shipped` of the order's shipment, else its first `delivered`;
  one per order listed in the shipment.
- `order.delivered`: first SHIPMENT_STATUS `delivered` (listed unless `include_delivered=False`).
- `refund.requested`: CLAIM_OPENED with a type in `REQUEST_TYPES`; time = claim creation; amount null.
- `refund.received`: one per REFUND fact (= one per entry of a payment's `refunds[]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from sandboxes.mercadolibre.clock import iso_utc
from sandboxes.mercadolibre.facts import Fact, FactKind

REQUEST_TYPES: Final = frozenset({"mediations", "return", "returns", "fulfillment", "ml_case"})
CENT: Final = Decimal("0.01")


@dataclass(slots=True)
class _OrderInfo:
    buyer_id: int
    currency_id: str
    total: Decimal


@dataclass
class _Fold:
    orders: dict[int, _OrderInfo] = field(default_factory=dict)
    confirmed: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
    cancelled: dict[int, int] = field(default_factory=dict)
    shipped: dict[int, int] = field(default_factory=dict)
    delivered: dict[int, int] = field(default_factory=dict)
    requested: dict[int, tuple[int, int]] = field(default_factory=dict)
    received: dict[int, tuple[int, int, Decimal]] = field(default_factory=dict)


def _created(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.buyer_id is not None
    assert fact.currency_id is not None and fact.amount is not None
    fold.orders[fact.order_id] = _OrderInfo(fact.buyer_id, fact.currency_id, fact.amount)


def _approved(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.amount is not None
    first, total = fold.confirmed.get(fact.order_id, (fact.at, Decimal(0)))
    fold.confirmed[fact.order_id] = (min(first, fact.at), total + fact.amount)


def _cancelled(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None
    if fact.detail != "pack_splitted":
        fold.cancelled.setdefault(fact.order_id, fact.at)


def _unfulfilled(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None
    fold.cancelled.setdefault(fact.order_id, fact.at)


def _shipment(fold: _Fold, fact: Fact) -> None:
    if fact.detail not in ("shipped", "delivered"):
        return
    for order_id in fact.order_ids:
        fold.shipped.setdefault(order_id, fact.at)
        if fact.detail == "delivered":
            fold.delivered.setdefault(order_id, fact.at)


def _claim_opened(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.ref_id is not None
    if fact.detail in REQUEST_TYPES:
        fold.requested[fact.ref_id] = (fact.order_id, fact.at)


def _refund(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.ref_id is not None and fact.amount is not None
    fold.received[fact.ref_id] = (fact.order_id, fact.at, fact.amount)


def _ignore(fold: _Fold, fact: Fact) -> None:
    return None


FOLDS: Final[dict[FactKind, Callable[[_Fold, Fact], None]]] = {
    FactKind.ORDER_CREATED: _created,
    FactKind.PAYMENT_APPROVED: _approved,
    FactKind.PAYMENT_REJECTED: _ignore,
    FactKind.ORDER_CANCELLED: _cancelled,
    FactKind.ORDER_UNFULFILLED: _unfulfilled,
    FactKind.SHIPMENT_STATUS: _shipment,
    FactKind.CLAIM_OPENED: _claim_opened,
    FactKind.CLAIM_CLOSED: _ignore,
    FactKind.REFUND: _refund,
}


def _event(fold: _Fold, action: str, order_id: int, at: int, amount: Decimal | None, key: str) -> dict[str, Any]:
    info = fold.orders[order_id]
    return {
        "action": action,
        "order_reference": str(order_id),
        "buyer_id": str(info.buyer_id),
        "tracked_at": iso_utc(at),
        "amount": None if amount is None else str(amount.quantize(CENT)),
        "currency": info.currency_id,
        "dedupe_key": key,
    }


def expected_events(facts: Iterable[Fact], include_delivered: bool = True) -> list[dict[str, Any]]:
    """Events sorted by `tracked_at`, then `dedupe_key`, in the format of docs/event-mapping.md."""
    fold = _Fold()
    for fact in facts:
        FOLDS[fact.kind](fold, fact)
    rows: list[tuple[int, dict[str, Any]]] = []
    for oid, (at, total) in fold.confirmed.items():
        rows.append((at, _event(fold, "order.confirmed", oid, at, total, f"ml:order:{oid}:confirmed")))
    for oid, at in fold.cancelled.items():
        total = fold.orders[oid].total
        rows.append((at, _event(fold, "order.cancelled", oid, at, total, f"ml:order:{oid}:cancelled")))
    for oid, at in fold.shipped.items():
        total = fold.orders[oid].total
        rows.append((at, _event(fold, "order.shipped", oid, at, total, f"ml:order:{oid}:shipped")))
    if include_delivered:
        for oid, at in fold.delivered.items():
            total = fold.orders[oid].total
            rows.append((at, _event(fold, "order.delivered", oid, at, total, f"ml:order:{oid}:delivered")))
    for claim_id, (oid, at) in fold.requested.items():
        rows.append((at, _event(fold, "refund.requested", oid, at, None, f"ml:claim:{claim_id}:requested")))
    for refund_id, (oid, at, amount) in fold.received.items():
        rows.append((at, _event(fold, "refund.received", oid, at, amount, f"ml:refund:{refund_id}")))
    rows.sort(key=lambda row: (row[0], row[1]["dedupe_key"]))
    return [event for _, event in rows]
