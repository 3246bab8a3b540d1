"""Money going back: refund entries (approved, in process, rejected, cancelled) and chargebacks.

Refunds follow Mercado Pago's refund object (MP reference "Get refunds list", mercadopago/devsite-docs
`reference/api-json/chargebacks.json`; FINDINGS (c)): an entry has a `status`, and only an `approved` one
returned money. An `in_process` refund later becomes `approved` or `rejected`. A payment whose approved
refunds cover everything is `refunded/refunded`; with some, `approved/partially_refunded` (MP "Get payment
status", https://mercadopago.com.mx/developers/en/docs/checkout-api/response-handling/query-results).

A chargeback (`status: charged_back`, `status_detail` `in_process`, `reimbursed` or `settled`; the capture
tests/fixtures/mercadolibre/payment_mp_v1_capture_charged_back_reimbursed.json) ends the payment: its
`date_last_updated` is the chargeback and nothing changes on it after.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Final

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import Order, Payment, Refund
from sandboxes.mercadolibre.steps import (
    InvalidTransition,
    approved_payment,
    order_changed,
    paid_order,
    payment_changed,
    require,
)
from sandboxes.mercadolibre.world import World

CENT: Final = Decimal("0.01")
CHARGEBACK_DETAILS: Final = frozenset({"in_process", "reimbursed", "settled"})


def _settle_payment_status(payment: Payment) -> None:
    if payment.refunded == 0:
        return
    full = payment.refunded >= payment.total_paid_amount
    payment.status = "refunded" if full else "approved"
    payment.status_detail = "refunded" if full else "partially_refunded"


def _refund_fact(world: World, payment: Payment, refund: Refund) -> None:
    """REFUND when an entry is approved, dated by the entry's `date_created`; REFUND_FAILED otherwise."""
    order = world.orders[payment.order_id]
    approved = refund.status == "approved"
    world.record(
        FactKind.REFUND if approved else FactKind.REFUND_FAILED,
        refund.created_ms,
        order.seller_id,
        order_id=order.id,
        ref_id=refund.id,
        detail=refund.status,
        amount=refund.amount,
        buyer_id=order.buyer_id,
        currency_id=order.currency_id,
    )


def refund(world: World, payment: Payment, refund_id: int, amount: Decimal | None, at: int, status: str) -> Refund:
    """Give money back on `payment` (None = everything not yet given back) as an entry in `status`."""
    require(not payment.charged_back, f"payment {payment.id} was charged back")
    remaining = payment.total_paid_amount - payment.committed
    value = remaining if amount is None else amount.quantize(CENT)
    require(Decimal(0) < value <= remaining, f"refund of {value} does not fit payment {payment.id}")
    entry = Refund(refund_id, payment.id, value, at, status)
    payment.refunds.append(entry)
    if status == "in_process":
        order = world.orders[payment.order_id]
        world.record(FactKind.REFUND_CREATED, at, order.seller_id, order_id=order.id, ref_id=refund_id, amount=value)
    else:
        _refund_fact(world, payment, entry)
    _settle_payment_status(payment)
    payment_changed(world, payment, at)
    return entry


def settle_refund(world: World, payment: Payment, entry: Refund, status: str, at: int) -> None:
    require(entry.status == "in_process", f"refund {entry.id} is {entry.status}")
    require(status in ("approved", "rejected", "cancelled"), f"a refund cannot become {status}")
    entry.status = status
    _refund_fact(world, payment, entry)
    _settle_payment_status(payment)
    payment_changed(world, payment, at)


def find_refund(world: World, order: Order, refund_id: int) -> tuple[Payment, Refund]:
    for payment_id in order.payment_ids:
        payment = world.payments[payment_id]
        for entry in payment.refunds:
            if entry.id == refund_id:
                return payment, entry
    raise InvalidTransition(f"order {order.id} has no refund {refund_id}")


@dataclass(slots=True, frozen=True)
class PartialRefund:
    """Part of the payment goes back (a refund entry). Approved at once, or `in_process` until settled; once
    approved the order becomes `partially_refunded`."""

    name: ClassVar[str] = "partial_refund"
    at: int
    order_id: int
    refund_id: int
    amount: Decimal
    status: str = "approved"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = paid_order(world, self.order_id)
        payment = approved_payment(world, order)
        require(payment.status == "approved", f"payment {payment.id} is {payment.status}")
        require(self.status in ("approved", "in_process"), f"a new refund cannot be {self.status}")
        refund(world, payment, self.refund_id, self.amount, at, self.status)
        if self.status == "approved":
            order.status = "partially_refunded"
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class SettleRefund:
    """A refund `in_process` ends `approved` (money returned), `rejected` or `cancelled` (none returned)."""

    name: ClassVar[str] = "settle_refund"
    at: int
    order_id: int
    refund_id: int
    status: str

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = paid_order(world, self.order_id)
        payment, entry = find_refund(world, order, self.refund_id)
        settle_refund(world, payment, entry, self.status, at)
        if self.status == "approved":
            order.status = "partially_refunded"
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class Chargeback:
    """The buyer's card issuer takes the money back: the payment is `charged_back` for good."""

    name: ClassVar[str] = "chargeback"
    at: int
    order_id: int
    status_detail: str = "reimbursed"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = paid_order(world, self.order_id)
        payment = approved_payment(world, order)
        require(self.status_detail in CHARGEBACK_DETAILS, f"unknown chargeback status_detail {self.status_detail}")
        require(all(r.status != "in_process" for r in payment.refunds), f"payment {payment.id} has a refund in process")
        amount = payment.transaction_amount - payment.refunded
        require(amount > 0, f"payment {payment.id} has nothing left to charge back")
        payment.modified_ms = max(payment.modified_ms, at)
        payment.status, payment.status_detail, payment.cache = "charged_back", self.status_detail, None
        owner = world.orders[payment.order_id]
        world.record(
            FactKind.PAYMENT_CHARGED_BACK,
            payment.modified_ms,
            owner.seller_id,
            order_id=owner.id,
            ref_id=payment.id,
            detail=self.status_detail,
            amount=amount,
            buyer_id=owner.buyer_id,
            currency_id=owner.currency_id,
        )
        payment_changed(world, payment, at)
        order_changed(world, order, at)
