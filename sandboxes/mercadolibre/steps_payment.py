"""Paying for an order: a payment in process, rejected, approved in full or in part.

Order statuses follow ML's "Gerenciar orders" (ORD, https://developers.mercadolivre.com.br/gerenciamento-de-vendas;
FINDINGS (h)): `confirmed` / `payment_required` before payment, `payment_in_process` while Mercado Pago reviews
it, `partially_paid` when what was accredited does not cover the order, `paid` once it does. Payment statuses
are Mercado Pago's (`pending`, `in_process`, `rejected`, `approved`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import AWAITING_PAYMENT, Order, Payment
from sandboxes.mercadolibre.steps import live_order, order_changed, payment_changed, pending_payment, require
from sandboxes.mercadolibre.steps_shipment import start_handling
from sandboxes.mercadolibre.world import World


def awaiting(world: World, order_id: int) -> Order:
    order = live_order(world, order_id)
    require(order.status in AWAITING_PAYMENT, f"order {order.id} is not awaiting payment")
    return order


def approve(world: World, order: Order, payment: Payment, at: int) -> None:
    """Approve `payment` (PAYMENT_APPROVED, once per payment); the order is paid once its approved payments
    cover it, else `partially_paid`."""
    first = payment.approved_ms is None
    payment.status, payment.status_detail = "approved", "accredited"
    payment.approved_ms = at if first else payment.approved_ms
    payments = [world.payments[pid] for pid in order.payment_ids]
    approved = sum((p.total_paid_amount for p in payments if p.approved_ms is not None), Decimal(0))
    order.closed_ms = order.closed_ms if order.closed_ms is not None else at
    if approved >= order.total_amount:
        order.status = "paid"
        order.retag("paid", "not_delivered")
    else:
        order.status = "partially_paid"
        order.retag("not_delivered")
    if first:
        world.record(
            FactKind.PAYMENT_APPROVED,
            at,
            order.seller_id,
            order_id=payment.order_id,
            ref_id=payment.id,
            amount=payment.total_paid_amount,
        )
    payment_changed(world, payment, at)
    order_changed(world, order, at)


def new_payment(world: World, old: Payment, payment_id: int, amount: Decimal, shipping: Decimal, at: int) -> Payment:
    payment = Payment(
        id=payment_id,
        order_id=old.order_id,
        payer_id=old.payer_id,
        collector_id=old.collector_id,
        site_id=old.site_id,
        currency_id=old.currency_id,
        reason=old.reason,
        transaction_amount=amount,
        shipping_cost=shipping,
        created_ms=at,
        modified_ms=at,
        method="master",
    )
    world.payments[payment.id] = payment
    world.orders[old.order_id].payment_ids.append(payment.id)
    payment_changed(world, payment, at)
    return payment


@dataclass(slots=True, frozen=True)
class PaymentInProcess:
    """Mercado Pago is reviewing the payment (`in_process/pending_review_manual`): order `payment_in_process`."""

    name: ClassVar[str] = "payment_in_process"
    at: int
    order_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = awaiting(world, self.order_id)
        payment = pending_payment(world, order)
        require(payment.status == "pending", f"payment {payment.id} is {payment.status}")
        payment.status, payment.status_detail = "in_process", "pending_review_manual"
        order.status = "payment_in_process"
        world.record(FactKind.PAYMENT_IN_PROCESS, at, order.seller_id, order_id=order.id, ref_id=payment.id)
        payment_changed(world, payment, at)
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class RejectPayment:
    """The pending payment is rejected; the buyer starts a new (pending) one."""

    name: ClassVar[str] = "reject_payment"
    at: int
    order_id: int
    new_payment_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = awaiting(world, self.order_id)
        old = pending_payment(world, order)
        old.status, old.status_detail = "rejected", "cc_rejected_insufficient_amount"
        world.record(FactKind.PAYMENT_REJECTED, at, order.seller_id, order_id=order.id, ref_id=old.id)
        payment_changed(world, old, at)
        new_payment(world, old, self.new_payment_id, old.transaction_amount, old.shipping_cost, at)
        if order.status == "payment_in_process":
            order.status = "payment_required"
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class PayPartially:
    """Only `amount` is accredited: the pending payment is approved for it (order `partially_paid`) and a new
    pending payment asks for the rest."""

    name: ClassVar[str] = "pay_partially"
    at: int
    order_id: int
    amount: Decimal
    rest_payment_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = awaiting(world, self.order_id)
        payment = pending_payment(world, order)
        require(order.status != "partially_paid", f"order {order.id} is already partially paid")
        require(Decimal(0) < self.amount < payment.transaction_amount, f"{self.amount} is not a part of the order")
        shipping = payment.shipping_cost
        rest = payment.transaction_amount - self.amount
        payment.transaction_amount, payment.shipping_cost = self.amount, Decimal(0)
        approve(world, order, payment, at)
        new_payment(world, payment, self.rest_payment_id, rest, shipping, at)


@dataclass(slots=True, frozen=True)
class ApprovePayments:
    """The pending payment of each order is approved: orders become `paid`, their shipment `handling`."""

    name: ClassVar[str] = "pay"
    at: int
    orders: tuple[int, ...]

    def order_ids(self, world: World) -> tuple[int, ...]:
        return self.orders

    def apply(self, world: World, at: int) -> None:
        orders = [awaiting(world, oid) for oid in self.orders]
        payments = [pending_payment(world, order) for order in orders]
        for order, payment in zip(orders, payments, strict=True):
            approve(world, order, payment, at)
        for shipment_id in dict.fromkeys(o.shipment_id for o in orders if o.shipment_id is not None):
            start_handling(world, world.shipments[shipment_id], at)
