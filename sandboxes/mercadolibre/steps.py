"""What every transition shares: the `Step` protocol, the refusal error and small update helpers.

A step is a planned (or requested) change with concrete ids decided up front. `apply(world, at)` checks
the current state, mutates the resources, writes ground-truth facts and emits the notifications ML would
send. A step that no longer fits the state raises `InvalidTransition` and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import Order, Payment, Refund, Shipment
from sandboxes.mercadolibre.world import World

CENT = Decimal("0.01")


class InvalidTransition(Exception):
    """The step does not fit the resource's current state (nothing was changed)."""


class Step(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def at(self) -> int: ...

    def apply(self, world: World, at: int) -> None: ...

    def order_ids(self, world: World) -> tuple[int, ...]: ...


def get_order(world: World, order_id: int) -> Order:
    order = world.orders.get(order_id)
    if order is None:
        raise InvalidTransition(f"order {order_id} does not exist yet")
    return order


def require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidTransition(message)


def live_order(world: World, order_id: int) -> Order:
    order = get_order(world, order_id)
    require(not order.terminal, f"order {order_id} is {order.status} and can no longer change")
    return order


def approved_payment(world: World, order: Order) -> Payment:
    for payment_id in reversed(order.payment_ids):
        payment = world.payments[payment_id]
        if payment.approved_ms is not None:
            return payment
    raise InvalidTransition(f"order {order.id} has no approved payment")


def order_changed(world: World, order: Order, at: int) -> None:
    order.touch(at)
    world.emit("orders_v2", f"/orders/{order.id}", order.seller_id, at)


def payment_changed(world: World, payment: Payment, at: int) -> None:
    payment.touch(at)
    world.emit("payments", f"/collections/{payment.id}", payment.collector_id, at)


def shipment_status(world: World, shipment: Shipment, status: str, substatus: str | None, at: int) -> None:
    shipment.set_status(status, substatus, at)
    world.record(
        FactKind.SHIPMENT_STATUS,
        at,
        shipment.seller_id,
        ref_id=shipment.id,
        detail=status,
        order_ids=tuple(shipment.order_ids),
    )
    world.emit("shipments", f"/shipments/{shipment.id}", shipment.seller_id, at)


def refund(world: World, order: Order, payment: Payment, refund_id: int, amount: Decimal | None, at: int) -> None:
    """Give money back on `payment` (None = everything not yet refunded). Records the REFUND fact."""
    remaining = payment.total_paid_amount - payment.refunded
    value = remaining if amount is None else amount.quantize(CENT)
    require(Decimal(0) < value <= remaining, f"refund of {value} does not fit payment {payment.id}")
    payment.refunds.append(Refund(refund_id, payment.id, value, at))
    full = value == remaining
    payment.status = "refunded" if full else "approved"
    payment.status_detail = "refunded" if full else "partially_refunded"
    world.record(
        FactKind.REFUND,
        at,
        order.seller_id,
        order_id=order.id,
        ref_id=refund_id,
        amount=value,
        buyer_id=order.buyer_id,
        currency_id=order.currency_id,
    )
    payment_changed(world, payment, at)


def cancel_shipment_if_idle(world: World, order: Order, substatus: str, at: int) -> None:
    """Cancel the order's shipment once none of its orders is alive any more."""
    if order.shipment_id is None:
        return
    shipment = world.shipments[order.shipment_id]
    if shipment.status in ("cancelled", "shipped", "delivered"):
        return
    if all(world.orders[oid].terminal for oid in shipment.order_ids):
        shipment_status(world, shipment, "cancelled", substatus, at)
