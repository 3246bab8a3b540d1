"""Orders that end for the buyer: cancelled (at once, or `pending_cancel` while the refund is being worked
out, then `cancelled`), invalidated (`invalid`: ML flagged a malicious buyer), or refunded to the buyer's
Mercado Pago balance (stays `paid` with tag `unfulfilled`).

Statuses and `cancel_detail {group, code, description, requested_by, date}` as ML's "Gerenciar orders"
(ORD, https://developers.mercadolivre.com.br/gerenciamento-de-vendas); the refund-to-balance flow as ML's
"Pagos" page (PAY, https://developers.mercadolibre.com.ve/es_ar/pagos). A cancellation carries the date it
was decided: a `pending_cancel` that completes later keeps the `cancel_detail.date` of the pending step.
Only single orders are cancelled here; a cart is cancelled or split as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import PAID, CancelDetail, Order
from sandboxes.mercadolibre.steps import (
    approved_payment,
    approved_payments,
    cancel_shipment_if_idle,
    live_order,
    not_handed_over,
    order_changed,
    paid_order,
    payment_changed,
    require,
)
from sandboxes.mercadolibre.steps_money import find_refund, refund, settle_refund
from sandboxes.mercadolibre.world import World


def _single(world: World, order_id: int) -> Order:
    order = live_order(world, order_id)
    require(not order.cart, f"order {order.id} is in a pack: cancel or split the whole pack")
    not_handed_over(world, order)
    return order


def _give_back(world: World, order: Order, refund_id: int, at: int, status: str = "approved") -> None:
    """A paid order refunds its (one) payment in full; an unpaid one cancels its pending payment."""
    if order.status in PAID:
        payments = approved_payments(world, order)
        require(len(payments) == 1, f"order {order.id} has {len(payments)} refundable payments")
        refund(world, payments[0], refund_id, None, at, status)
        return
    pending = world.payments[order.payment_ids[-1]]
    if pending.status in ("pending", "in_process"):
        pending.status, pending.status_detail = "cancelled", "by_collector"
        payment_changed(world, pending, at)


def _detail(group: str, code: str, at: int) -> CancelDetail:
    description = "Cancelled by the buyer" if group == "buyer" else "Cancelled by the seller"
    return CancelDetail(group, code, description, group, at)


def _cancelled(world: World, order: Order, at: int) -> None:
    detail = order.cancel_detail
    assert detail is not None
    order.status = "cancelled"
    order.retag("not_delivered")
    world.record(FactKind.ORDER_CANCELLED, detail.date_ms, order.seller_id, order_id=order.id, detail=detail.code)
    order_changed(world, order, at)
    cancel_shipment_if_idle(world, order, "cancelled_manually", at)


@dataclass(slots=True, frozen=True)
class CancelOrder:
    """Order cancelled; when it was paid, the whole payment is refunded (`refund_id`)."""

    name: ClassVar[str] = "cancel"
    at: int
    order_id: int
    refund_id: int
    code: str = "buyer_cancel"
    group: str = "buyer"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = _single(world, self.order_id)
        require(order.status != "pending_cancel", f"order {order.id} is already being cancelled")
        _give_back(world, order, self.refund_id, at)
        order.cancel_detail = _detail(self.group, self.code, at)
        _cancelled(world, order, at)


@dataclass(slots=True, frozen=True)
class PendingCancel:
    """A paid order is cancelled but its refund is still in process: `pending_cancel` (not cancelled yet)."""

    name: ClassVar[str] = "pending_cancel"
    at: int
    order_id: int
    refund_id: int
    code: str = "buyer_cancel"
    group: str = "buyer"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = _single(world, self.order_id)
        require(order.status in PAID, f"order {order.id} is not paid")
        _give_back(world, order, self.refund_id, at, status="in_process")
        order.cancel_detail = _detail(self.group, self.code, at)
        order.status = "pending_cancel"
        world.record(FactKind.ORDER_PENDING_CANCEL, at, order.seller_id, order_id=order.id, detail=self.code)
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class CompleteCancel:
    """The refund of a `pending_cancel` order went through: the order is `cancelled` (dated by the pending
    step's `cancel_detail.date`)."""

    name: ClassVar[str] = "complete_cancel"
    at: int
    order_id: int
    refund_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = live_order(world, self.order_id)
        require(order.status == "pending_cancel", f"order {order.id} is not pending_cancel")
        payment, entry = find_refund(world, order, self.refund_id)
        settle_refund(world, payment, entry, "approved", at)
        _cancelled(world, order, at)


@dataclass(slots=True, frozen=True)
class InvalidateOrder:
    """ML invalidates the order (malicious buyer): status `invalid`; a paid order's money goes back."""

    name: ClassVar[str] = "invalidate"
    at: int
    order_id: int
    refund_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = _single(world, self.order_id)
        require(order.status != "pending_cancel", f"order {order.id} is being cancelled")
        _give_back(world, order, self.refund_id, at)
        order.status = "invalid"
        order.retag("not_delivered")
        world.record(FactKind.ORDER_INVALIDATED, at, order.seller_id, order_id=order.id)
        order_changed(world, order, at)
        cancel_shipment_if_idle(world, order, "cancelled_manually", at)


@dataclass(slots=True, frozen=True)
class RefundToBalance:
    """Sale cancelled and refunded to the buyer's MP balance: order stays `paid` with tag `unfulfilled`."""

    name: ClassVar[str] = "refund_to_balance"
    at: int
    order_id: int
    refund_id: int

    def order_ids(self, world: World) -> tuple[int, ...]:
        return (self.order_id,)

    def apply(self, world: World, at: int) -> None:
        order = paid_order(world, self.order_id)
        require(order.status == "paid", f"order {order.id} is not paid")
        order = _single(world, self.order_id)
        payment = approved_payment(world, order)
        require(not payment.refunds, f"payment {payment.id} was already refunded")
        payment.tags = [*payment.tags, "refund_account_money"]
        refund(world, payment, self.refund_id, None, at, "approved")
        order.tags = [*order.tags, "unfulfilled"]
        world.record(FactKind.ORDER_UNFULFILLED, at, order.seller_id, order_id=order.id)
        order_changed(world, order, at)
        cancel_shipment_if_idle(world, order, "cancelled_manually", at)
