"""Creating a purchase: its orders (one, or several sharing a cart), their pending payments and the shipment.

Every order gets a `pack_id` (a single order is a pack of its own; PACK,
https://developers.mercadolibre.com.ve/es_ar/gestion-packs: "every order is tied to a pack_id"). A purchase
without a Mercado Envíos shipment has `shipping.id: null` and tag `no_shipping`. Payment steps live in
`steps_payment.py`, cancellations in `steps_cancel.py`, pack splits in `steps_split.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import Line, Order, Payment
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.steps import order_changed, payment_changed, require, shipment_status
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


@dataclass(slots=True, frozen=True)
class NewOrder:
    """Where a new order belongs: its shipment and pack, whether it is one of a cart, its first status, and
    (for a pack split) the payments it takes over instead of a new pending one."""

    shipment_id: int | None
    pack_id: int
    cart: bool = False
    status: str = "payment_required"
    payment_ids: tuple[int, ...] = ()


def new_order(world: World, seller_id: int, spec: OrderSpec, where: NewOrder, at: int) -> Order:
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
        payment_ids=list(where.payment_ids) or [spec.payment_id],
        shipment_id=where.shipment_id,
        pack_id=where.pack_id,
        cart=where.cart,
        status=where.status,
    )
    order.retag()
    world.add_order(order)
    world.record(
        FactKind.ORDER_CREATED,
        at,
        seller_id,
        order_id=order.id,
        detail="pack_split" if where.payment_ids else None,
        amount=order.total_amount,
        buyer_id=order.buyer_id,
        currency_id=order.currency_id,
    )
    if not where.payment_ids:
        world.payments[spec.payment_id] = _pending_payment(order, spec, at)
    order_changed(world, order, at)
    if not where.payment_ids:
        payment_changed(world, world.payments[spec.payment_id], at)
    return order


def new_shipment(
    world: World, seller_id: int, specs: tuple[OrderSpec, ...], shipment_id: int, logistic_type: str, at: int
) -> Shipment:
    shipment = Shipment(
        id=shipment_id,
        seller_id=seller_id,
        receiver_id=specs[0].buyer_id,
        site_id=world.users[seller_id].site_id,
        order_ids=[spec.order_id for spec in specs],
        created_ms=at,
        updated_ms=at,
        logistic_type=logistic_type,
        declared_value=sum((spec.total for spec in specs), Decimal(0)),
        shipping_cost=sum((spec.shipping_cost for spec in specs), Decimal(0)),
    )
    world.shipments[shipment.id] = shipment
    return shipment


@dataclass(slots=True, frozen=True)
class CreateOrders:
    """A purchase: one order, or a cart (pack) of several orders sharing one shipment (or none: `no_shipping`)."""

    name: ClassVar[str] = "create"
    at: int
    seller_id: int
    shipment_id: int | None
    pack_id: int
    orders: tuple[OrderSpec, ...]
    logistic_type: str = "drop_off"
    status: str = "payment_required"

    def order_ids(self, world: World) -> tuple[int, ...]:
        return tuple(spec.order_id for spec in self.orders)

    def apply(self, world: World, at: int) -> None:
        require(self.orders[0].order_id not in world.orders, "orders already exist")
        require(self.status in ("confirmed", "payment_required"), f"an order cannot start {self.status}")
        cart = len(self.orders) > 1
        for spec in self.orders:
            new_order(world, self.seller_id, spec, NewOrder(self.shipment_id, self.pack_id, cart, self.status), at)
        if self.shipment_id is not None:
            shipment = new_shipment(world, self.seller_id, self.orders, self.shipment_id, self.logistic_type, at)
            shipment_status(world, shipment, "pending", None, at)
