"""The oracle: the exact events a correct integration ends up with, folded from ground-truth facts.

It follows the event contract (docs/event-mapping.md, output format there) from what *happened* inside the
sandbox (the fact log), never from resource snapshots and never with the worker's mapping code. Every time is
the moment the documents render for that change, so a correct mapping can reproduce it.

- `order.confirmed`: the first PAYMENT_APPROVED of the order (one fact per payment, at its first approval);
  amount = the order's total_amount. An order created by a pack split has none: its payment was approved
  once, for the original order.
- `order.cancelled`: ORDER_CANCELLED unless its code is `pack_splitted` (dated by `cancel_detail.date`; for
  a `pending_cancel` completed later, the pending step's date), ORDER_INVALIDATED, ORDER_UNFULFILLED (refund
  to balance). Amount = order total. A `pending_cancel` alone is no cancellation.
- `order.shipped`: GOODS_HANDED_OVER, the first moment the goods left the seller (dropped off, picked up,
  shipped, sent outside Mercado Envíos, or delivered without any of those); one per order the shipment
  carries; amount = order total.
- `order.delivered`: the first SHIPMENT_STATUS `delivered`, per order (listed unless include_delivered=False).
- `refund.requested`: CLAIM_OPENED with a type in `REQUEST_TYPES`, at the claim's creation, amount null;
  `ml:claim:{id}:requested` for a claim on an order or a payment (the payment's order), one
  `ml:claim:{id}:order:{order_id}:requested` per order for a claim on a shipment.
- `refund.received`: REFUND (a refund entry approved; dated by its `date_created`), key `ml:refund:{id}`,
  on the order the payment names; PAYMENT_CHARGED_BACK, key `ml:chargeback:{payment_id}`, amount the
  payment's transaction_amount minus its approved refunds, at the chargeback (`date_last_updated`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Final

from sandboxes.mercadolibre.clock import iso_utc
from sandboxes.mercadolibre.facts import Fact, FactKind

REQUEST_TYPES: Final = frozenset({"mediations", "return", "returns", "fulfillment", "ml_case", "cancel_purchase"})
CENT: Final = Decimal("0.01")


@dataclass(slots=True)
class _OrderInfo:
    buyer_id: int
    currency_id: str
    total: Decimal


@dataclass(slots=True, frozen=True)
class _Row:
    action: str
    order_id: int
    at: int
    amount: Decimal | None  # None = the order's total (resolved when rendering)
    key: str
    null_amount: bool = False
    known_at: int = 0  # the earliest step after which the documents show the event


@dataclass
class _Fold:
    orders: dict[int, _OrderInfo] = field(default_factory=dict)
    rows: dict[str, _Row] = field(default_factory=dict)  # by dedupe key: the first fact wins

    known_at: int = 0  # the fact being folded: when it became known

    def add(self, action: str, order_id: int, at: int, key: str, amount: Decimal | None = None) -> None:
        kept = self.rows.get(key)
        known = self.known_at if kept is None else min(kept.known_at, self.known_at)
        row = _Row(action, order_id, at, amount, key, null_amount=action == "refund.requested", known_at=known)
        if kept is None or at < kept.at:
            self.rows[key] = row
        elif known != kept.known_at:
            self.rows[key] = replace(kept, known_at=known)


def _created(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.buyer_id is not None
    assert fact.currency_id is not None and fact.amount is not None
    fold.orders[fact.order_id] = _OrderInfo(fact.buyer_id, fact.currency_id, fact.amount)


def _approved(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None
    fold.add("order.confirmed", fact.order_id, fact.at, f"ml:order:{fact.order_id}:confirmed")


def _cancelled(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None
    if fact.detail != "pack_splitted":
        fold.add("order.cancelled", fact.order_id, fact.at, f"ml:order:{fact.order_id}:cancelled")


def _handed_over(fold: _Fold, fact: Fact) -> None:
    for order_id in fact.order_ids:
        fold.add("order.shipped", order_id, fact.at, f"ml:order:{order_id}:shipped")


def _shipment(fold: _Fold, fact: Fact) -> None:
    if fact.detail == "delivered" or (fact.detail or "").startswith("delivered/"):
        for order_id in fact.order_ids:
            fold.add("order.delivered", order_id, fact.at, f"ml:order:{order_id}:delivered")


def _claim_opened(fold: _Fold, fact: Fact) -> None:
    assert fact.ref_id is not None
    if fact.detail not in REQUEST_TYPES:
        return
    if fact.resource == "shipment":
        for order_id in fact.order_ids:
            fold.add("refund.requested", order_id, fact.at, f"ml:claim:{fact.ref_id}:order:{order_id}:requested")
    else:
        assert fact.order_id is not None
        fold.add("refund.requested", fact.order_id, fact.at, f"ml:claim:{fact.ref_id}:requested")


def _refund(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.ref_id is not None and fact.amount is not None
    fold.add("refund.received", fact.order_id, fact.at, f"ml:refund:{fact.ref_id}", fact.amount)


def _chargeback(fold: _Fold, fact: Fact) -> None:
    assert fact.order_id is not None and fact.ref_id is not None and fact.amount is not None
    fold.add("refund.received", fact.order_id, fact.at, f"ml:chargeback:{fact.ref_id}", fact.amount)


def _ignore(fold: _Fold, fact: Fact) -> None:
    return None


FOLDS: Final[dict[FactKind, Callable[[_Fold, Fact], None]]] = {
    FactKind.ORDER_CREATED: _created,
    FactKind.PAYMENT_IN_PROCESS: _ignore,
    FactKind.PAYMENT_APPROVED: _approved,
    FactKind.PAYMENT_REJECTED: _ignore,
    FactKind.PAYMENT_CHARGED_BACK: _chargeback,
    FactKind.ORDER_PENDING_CANCEL: _ignore,
    FactKind.ORDER_CANCELLED: _cancelled,
    FactKind.ORDER_INVALIDATED: _cancelled,
    FactKind.ORDER_UNFULFILLED: _cancelled,
    FactKind.SHIPMENT_STATUS: _shipment,
    FactKind.GOODS_HANDED_OVER: _handed_over,
    FactKind.CLAIM_OPENED: _claim_opened,
    FactKind.CLAIM_ESCALATED: _ignore,
    FactKind.CLAIM_CLOSED: _ignore,
    FactKind.REFUND_CREATED: _ignore,
    FactKind.REFUND: _refund,
    FactKind.REFUND_FAILED: _ignore,
}


def _event(fold: _Fold, row: _Row, with_known_at: bool) -> dict[str, Any]:
    info = fold.orders[row.order_id]
    amount = None if row.null_amount else (info.total if row.amount is None else row.amount)
    event = {
        "action": row.action,
        "order_reference": str(row.order_id),
        "buyer_id": str(info.buyer_id),
        "tracked_at": iso_utc(row.at),
        "amount": None if amount is None else str(amount.quantize(CENT)),
        "currency": info.currency_id,
        "dedupe_key": row.key,
    }
    if with_known_at:
        event["known_at"] = iso_utc(row.known_at)
    return event


def expected_events(
    facts: Iterable[Fact], include_delivered: bool = True, with_known_at: bool = False
) -> list[dict[str, Any]]:
    """Events sorted by `tracked_at`, then `dedupe_key`, in the format of docs/event-mapping.md. `with_known_at`
    adds `known_at`: when the step that made the event visible in the documents was applied (its notifications
    went out then), for measuring lag from that moment rather than from the date the documents give."""
    fold = _Fold()
    for fact in facts:
        fold.known_at = fact.known_at or fact.at
        FOLDS[fact.kind](fold, fact)
    rows = [row for row in fold.rows.values() if include_delivered or row.action != "order.delivered"]
    rows.sort(key=lambda row: (row.at, row.key))
    return [_event(fold, row, with_known_at) for row in rows]
