"""Order-level transitions: create (with pack and shipment), payment rejected/approved, cancel, and refund
to balance (`unfulfilled`). Pack splits live in `steps_split.py`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import CancelDetail, Line, Order, Payment, Shipment
from sandboxes.mercadolibre.steps import (
    approved_payment,
    cancel_shipment_if_idle,
    live_order,
    order_changed,
    payment_changed,
    refund,
    require,
    shipment_status,
)
from sandboxes.mercadolibre.world import World


@dataclass(slots=True, frozen=True)
class OrderSpec:
    order_id: int
    buyer_id: int
    lines: tuple[Line, ...]
    payment_id: int
    shipping_cost: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))


def _pending_payment(order: Order, spec: OrderSpec, at: int) -> Payment:
    return Payment(
        id=spec.payment_id,
        order_id=order.id,
        payer_id=spec.buyer_id,
        collector_id=order.seller_id,
        site_id=order.site_id,
        currency_id=order.currency_id,
        reason=spec.lines[0].item.title,
        transaction_amount=spec.total,
        shipping_cost=spec.shipping_cost,
        created_ms=at,
        modified_ms=at,
    )


def new_order(world: World, seller_id: int, spec: OrderSpec, shipment_id: int, pack_id: int | None, at: int) -> Order:
    site = world.site_of(seller_id)
    order = Order(
        id=spec.order_id,
        seller_id=seller_id,
        buyer_id=spec.buyer_id,
        site_id=site.site_id,
        currency_id=site.currency_id,
        created_ms=at,
        updated_ms=at,
        lines=list(spec.lines),
        total_amount=spec.total,
        payment_ids=[spec.payment_id],
        shipment_id=shipment_id,
        pack_id=pack_id,
    )
    world.add_order(order)
    world.payments[spec.payment_id] = _pending_payment(order, spec, at)
    world.record(
        FactKind.ORDER_CREATED,
        at,
        seller_id,
        order_id=order.id,
        amount=order.total_amount,
        buyer_id=order.buyer_id,
        currency_id=order.currency_id,
    )
    order_changed(world, order, at)
    payment_changed(world, world.payments[spec.payment_id], at)
    return order


def new_shipment(world: World, seller_id: int, specs: tuple[OrderSpec, ...], shipment_id: int, at: int) -> Shipment:
    shipment = Shipment(
        id=shipment_id,
        seller_id=seller_id,
        receiver_id=specs[0].buyer_id,
        site_id=world.users[seller_id].site_id,
        order_ids=[spec.order_id for spec in specs],
        created_ms=at,
        updated_ms=at,
        logistic_type="cross_docking" if shipment_id % 3 else "drop_off",
        declared_value=sum((spec.total for spec in specs), Decimal(0)),
        shipping_cost=sum((spec.shipping_cost for spec in specs), Decimal(0)),
    )
    world.shipments[shipment.id] = shipment
    return shipment


def approve(world: World, order: Order, payment: Payment, at: int) -> None:
    payment.status, payment.status_detail, payment.approved_ms = "approved", "accredited", at
    order.status = "paid"
    order.closed_ms = order.closed_ms if order.closed_ms is not None else at
    order.tags = ["paid", "not_delivered"]
    world.record(
        FactKind.PAYMENT_APPROVED,
        at,
        order.seller_id,
        order_id=order.id,
        ref_id=payment.id,
        amount=payment.total_paid_amount,
    )
    payment_changed(world, payment, at)
    order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class CreateOrders:
    """A purchase: one order, or a cart (pack) of several orders sharing one shipment."""

    name: ClassVar[str] = "create"
    at: int
    seller_id: int
    shipment_id: int
    pack_id: int | None
    orders: tuple[OrderSpec, ...]

    def order_ids(self, world: World) -> tuple[int, ...]:
        return tuple(spec.order_id for spec in self.orders)

    def apply(self, world: World, at: int) -> None:
        require(self.orders[0].order_id not in world.orders, "orders already exist")
        for spec in self.orders:
            new_order(world, self.seller_id, spec, self.shipment_id, self.pack_id, at)
        shipment = new_shipment(world, self.seller_id, self.orders, self.shipment_id, at)
        shipment_status(world, shipment, "pending", None, at)


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
        order = live_order(world, self.order_id)
        require(order.status == "payment_required", f"order {order.id} is not awaiting payment")
        old = world.payments[order.payment_ids[-1]]
        old.status, old.status_detail = "rejected", "cc_rejected_insufficient_amount"
        world.record(FactKind.PAYMENT_REJECTED, at, order.seller_id, order_id=order.id, ref_id=old.id)
        payment_changed(world, old, at)
        new = Payment(
            id=self.new_payment_id,
            order_id=order.id,
            payer_id=old.payer_id,
            collector_id=old.collector_id,
            site_id=old.site_id,
            currency_id=old.currency_id,
            reason=old.reason,
            transaction_amount=old.transaction_amount,
            shipping_cost=old.shipping_cost,
            created_ms=at,
            modified_ms=at,
            method="master",
        )
        world.payments[new.id] = new
        order.payment_ids.append(new.id)
        payment_changed(world, new, at)
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class ApprovePayments:
    """The pending payment of each order is approved: orders become `paid`, the shipment `handling`."""

    name: ClassVar[str] = "pay"
    at: int
    orders: tuple[int, ...]

    def order_ids(self, world: World) -> tuple[int, ...]:
        return self.orders

    def apply(self, world: World, at: int) -> None:
        orders = [live_order(world, oid) for oid in self.orders]
        for order in orders:
            require(order.status == "payment_required", f"order {order.id} is not awaiting payment")
        for order in orders:
            approve(world, order, world.payments[order.payment_ids[-1]], at)
        for shipment_id in dict.fromkeys(o.shipment_id for o in orders if o.shipment_id is not None):
            shipment = world.shipments[shipment_id]
            paid = all(world.orders[oid].status == "paid" for oid in shipment.order_ids)
            if paid and shipment.status == "pending":
                shipment_status(world, shipment, "handling", None, at)


def _not_shipped(world: World, order: Order) -> None:
    if order.shipment_id is not None:
        status = world.shipments[order.shipment_id].status
        require(status not in ("shipped", "delivered"), f"order {order.id} was already {status}")


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
        order = live_order(world, self.order_id)
        require(order.pack_id is None, f"order {order.id} is in a pack: cancel or split the whole pack")
        _not_shipped(world, order)
        if order.status == "paid":
            refund(world, order, approved_payment(world, order), self.refund_id, None, at)
        else:
            pending = world.payments[order.payment_ids[-1]]
            pending.status, pending.status_detail = "cancelled", "by_collector"
            payment_changed(world, pending, at)
        description = "Cancelled by the buyer" if self.group == "buyer" else "Cancelled by the seller"
        order.cancel_detail = CancelDetail(self.group, self.code, description, self.group, at)
        order.status, order.tags = "cancelled", ["not_delivered"]
        world.record(FactKind.ORDER_CANCELLED, at, order.seller_id, order_id=order.id, detail=self.code)
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
        order = live_order(world, self.order_id)
        require(order.status == "paid", f"order {order.id} is not paid")
        require(order.pack_id is None, f"order {order.id} is in a pack")
        _not_shipped(world, order)
        payment = approved_payment(world, order)
        require(not payment.refunds, f"payment {payment.id} was already refunded")
        payment.tags = [*payment.tags, "refund_account_money"]
        refund(world, order, payment, self.refund_id, None, at)
        order.tags = [*order.tags, "unfulfilled"]
        world.record(FactKind.ORDER_UNFULFILLED, at, order.seller_id, order_id=order.id)
        order_changed(world, order, at)
        cancel_shipment_if_idle(world, order, "cancelled_manually", at)
