"""Ground truth: what happened, when, as the engine applied it. The oracle reads only this.

A fact is written at the moment a transition is applied and never changes. It carries the values the
oracle needs (buyer, currency, amounts), so the oracle never looks at resource snapshots. `at` is the moment
the change is dated by in the documents: the step's time, except where a document dates a change by an earlier
moment (a refund approved later keeps its `date_created`; a pending cancellation keeps `cancel_detail.date`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class FactKind(StrEnum):
    ORDER_CREATED = "order_created"
    PAYMENT_IN_PROCESS = "payment_in_process"
    PAYMENT_APPROVED = "payment_approved"
    PAYMENT_REJECTED = "payment_rejected"
    PAYMENT_CHARGED_BACK = "payment_charged_back"
    ORDER_PENDING_CANCEL = "order_pending_cancel"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_INVALIDATED = "order_invalidated"
    ORDER_UNFULFILLED = "order_unfulfilled"
    SHIPMENT_STATUS = "shipment_status"
    GOODS_HANDED_OVER = "goods_handed_over"
    CLAIM_OPENED = "claim_opened"
    CLAIM_ESCALATED = "claim_escalated"
    CLAIM_CLOSED = "claim_closed"
    REFUND_CREATED = "refund_created"
    REFUND = "refund"
    REFUND_FAILED = "refund_failed"


@dataclass(slots=True, frozen=True)
class Fact:
    """One ground-truth change.

    `order_id`: the order concerned (for shipment facts and claims on a shipment: None, see `order_ids`); for
        refunds and chargebacks the order the payment names (`order.id`), even after a pack split.
    `ref_id`: payment id (payments, chargebacks), refund id (REFUND*), claim id (claims), shipment id
        (SHIPMENT_STATUS, GOODS_HANDED_OVER).
    `detail`: claim type, cancel code, shipment `status` or `status/substatus`, claim resolution reason, refund
        status, chargeback status_detail, `pack_split` on an ORDER_CREATED of a pack split.
    `amount`: ORDER_CREATED total_amount, PAYMENT_APPROVED total_paid_amount, REFUND* amount, chargeback amount.
    `resource`: the claim's resource (order, shipment, payment) on claim facts.
    `known_at`: when the step that wrote the fact was applied, so when its notifications went out; later than
        `at` where documents date a change by an earlier moment (see above).
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
    resource: str | None = None
    known_at: int = 0

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
            "resource": self.resource,
            "known_at": self.known_at,
        }
