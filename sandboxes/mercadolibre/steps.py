"""What every transition shares: the `Step` protocol, the refusal error and small update helpers.

A step is a planned (or requested) change with concrete ids decided up front. `apply(world, at)` checks
the current state, mutates the resources, writes ground-truth facts and emits the notifications ML would
send. A step that no longer fits the state raises `InvalidTransition` and changes nothing.
"""

from __future__ import annotations

from typing import Final, Protocol

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import PAID, Order, Payment
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.world import World

# States in which the goods have left the seller (SHIP tracking tables; catalogue in
# tests/fixtures/mercadolibre/shipment_statuses_doc_es.json): with the carrier while still `ready_to_ship`
# (dropped off, picked up, at the hub), on the way, delivered or back from a failed delivery, or sent by the
# seller outside Mercado Envíos.
CARRIER_SUBSTATUSES: Final = frozenset({"dropped_off", "picked_up", "in_hub"})
AFTER_HANDOVER: Final = frozenset({"shipped", "delivered", "not_delivered"})


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


def paid_order(world: World, order_id: int) -> Order:
    order = live_order(world, order_id)
    require(order.status in PAID, f"order {order.id} is not paid")
    return order


def approved_payments(world: World, order: Order) -> list[Payment]:
    """The order's payments that were approved and were not charged back (money that can still go back)."""
    payments = (world.payments[pid] for pid in order.payment_ids)
    return [p for p in payments if p.approved_ms is not None and not p.charged_back]


def approved_payment(world: World, order: Order) -> Payment:
    """The order's last approved payment that was not charged back."""
    payments = approved_payments(world, order)
    require(bool(payments), f"order {order.id} has no approved payment that can be refunded")
    return payments[-1]


def pending_payment(world: World, order: Order) -> Payment:
    payment = world.payments[order.payment_ids[-1]]
    require(payment.status in ("pending", "in_process"), f"order {order.id} has no pending payment")
    return payment


def order_changed(world: World, order: Order, at: int) -> None:
    order.touch(at)
    world.emit("orders_v2", f"/orders/{order.id}", order.seller_id, at)


def payment_changed(world: World, payment: Payment, at: int) -> None:
    """The payment changed: so does every order that embeds it (re-rendered; the step that changed the payment
    says which order changed and notifies it)."""
    payment.touch(at)
    for order_id in payment.holders or [payment.order_id]:
        world.orders[order_id].cache = None
    world.emit("payments", f"/collections/{payment.id}", payment.collector_id, at)


def handed_over(status: str, substatus: str | None) -> bool:
    if status in AFTER_HANDOVER:
        return True
    if status == "ready_to_ship":
        return substatus in CARRIER_SUBSTATUSES
    return status == "cancelled" and substatus == "shipped_outside_me"


def shipment_status(world: World, shipment: Shipment, status: str, substatus: str | None, at: int) -> None:
    """Move the shipment; the first state in which the goods left the seller records GOODS_HANDED_OVER."""
    shipment.set_status(status, substatus, at)
    orders = tuple(shipment.order_ids)
    detail = status if substatus is None else f"{status}/{substatus}"
    world.record(FactKind.SHIPMENT_STATUS, at, shipment.seller_id, ref_id=shipment.id, detail=detail, order_ids=orders)
    if shipment.handed_over_ms is None and handed_over(status, substatus):
        shipment.handed_over_ms = at
        world.record(
            FactKind.GOODS_HANDED_OVER, at, shipment.seller_id, ref_id=shipment.id, detail=detail, order_ids=orders
        )
    world.emit("shipments", f"/shipments/{shipment.id}", shipment.seller_id, at)


def not_handed_over(world: World, order: Order) -> None:
    if order.shipment_id is not None:
        shipment = world.shipments[order.shipment_id]
        require(shipment.handed_over_ms is None, f"order {order.id} was already {shipment.status}")


def cancel_shipment_if_idle(world: World, order: Order, substatus: str, at: int) -> None:
    """Cancel the order's shipment once none of its orders is alive any more."""
    if order.shipment_id is None:
        return
    shipment = world.shipments[order.shipment_id]
    if shipment.status == "cancelled" or shipment.handed_over_ms is not None:
        return
    if all(world.orders[oid].terminal for oid in shipment.order_ids):
        shipment_status(world, shipment, "cancelled", substatus, at)
