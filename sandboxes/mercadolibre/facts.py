"""Ground truth: what happened, when, as the engine applied it. The oracle reads only this.

A fact is written at the moment a transition is applied and never changes. It carries the values the
oracle needs (buyer, currency, amounts), so the oracle never looks at resource snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class FactKind(StrEnum):
    ORDER_CREATED = "order_created"
    PAYMENT_APPROVED = "payment_approved"
    PAYMENT_REJECTED = "payment_rejected"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_UNFULFILLED = "order_unfulfilled"
    SHIPMENT_STATUS = "shipment_status"
    CLAIM_OPENED = "claim_opened"
    CLAIM_CLOSED = "claim_closed"
    REFUND = "refund"


@dataclass(slots=True, frozen=True)
class Fact:
    """One ground-truth change.

    `order_id`: the order concerned (for SHIPMENT_STATUS: None, see `order_ids`).
    `ref_id`: payment id (payments), refund id (REFUND), claim id (claims), shipment id (SHIPMENT_STATUS).
    `detail`: claim type, cancel code, shipment status, claim resolution reason.
    `amount`: ORDER_CREATED total_amount, PAYMENT_APPROVED total_paid_amount, REFUND amount.
    """

    seq: int
    at: int
    kind: FactKind
    seller_id: int
    order_id: int | None = None
    ref_id: int | None = None
    detail: str | None = None
    amount: Decimal | None = None
    buyer_id: int | None = None
    currency_id: str | None = None
    order_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": str(self.kind),
            "seller_id": self.seller_id,
            "order_id": self.order_id,
            "ref_id": self.ref_id,
            "detail": self.detail,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "buyer_id": self.buyer_id,
            "currency_id": self.currency_id,
            "order_ids": list(self.order_ids),
        }
