"""Pack split (`pack_splitted`): the orders of a paid cart are cancelled and re-created, each with a shipment.

As ML's "Consideraciones post-Split" (SHIP, https://developers.mercadolibre.com.ve/es_ar/envios; FINDINGS
(a)) describe it: each original order becomes `cancelled` with `cancel_detail.code = "pack_splitted"` (no
`order.cancelled`: nothing was cancelled for the buyer), the shared shipment `cancelled/pack_splitted`, and
each new order gets a new id, a pack of its own and a new shipment in `handling` whose `sibling.sibling_id`
is the cancelled shipment, tagged `source_pack_split`.

The money was paid once: each new order carries the original order's approved payment(s), with the same ids
and approval dates; no payment is approved again, and the payment keeps naming the original order
(`order.id`). So no `order.confirmed` comes from a split: the sale was confirmed on the original order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import CancelDetail, Order
from sandboxes.mercadolibre.model_shipment import Sibling
from sandboxes.mercadolibre.steps import (
    approved_payments,
    get_order,
    order_changed,
    paid_order,
    require,
    shipment_status,
)
from sandboxes.mercadolibre.steps_order import NewOrder, OrderSpec, new_order, new_shipment
from sandboxes.mercadolibre.world import World


@dataclass(slots=True, frozen=True)
class SplitPart:
    old_order_id: int
    new_order_id: int
    new_pack_id: int
    new_shipment_id: int


@dataclass(slots=True, frozen=True)
class SplitPack:
    """ML splits a pack: each order is cancelled with `pack_splitted` and re-created (new id, own shipment)."""

    name: ClassVar[str] = "pack_split"
    at: int
    pack_id: int
    parts: tuple[SplitPart, ...]

    def order_ids(self, world: World) -> tuple[int, ...]:
        return tuple(p.old_order_id for p in self.parts) + tuple(p.new_order_id for p in self.parts)

    def apply(self, world: World, at: int) -> None:
        olds = [paid_order(world, part.old_order_id) for part in self.parts]
        require(all(o.pack_id == self.pack_id and o.cart for o in olds), f"orders are not the cart {self.pack_id}")
        shipment = world.shipments[olds[0].shipment_id or 0]
        require(shipment.status == "handling", f"shipment {shipment.id} is {shipment.status}")
        for old, part in zip(olds, self.parts, strict=True):
            old.cancel_detail = CancelDetail("shipment", "pack_splitted", "Pack splitted", "system", at)
            old.status = "cancelled"
            old.retag("not_delivered")
            world.record(FactKind.ORDER_CANCELLED, at, old.seller_id, order_id=old.id, detail="pack_splitted")
            order_changed(world, old, at)
            self._successor(world, old, part, shipment.logistic_type, at)
        shipment_status(world, shipment, "cancelled", "pack_splitted", at)

    @staticmethod
    def _successor(world: World, old: Order, part: SplitPart, logistic_type: str, at: int) -> None:
        payments = tuple(p.id for p in approved_payments(world, old))
        spec = OrderSpec(part.new_order_id, old.buyer_id, tuple(old.lines), payments[0])
        where = NewOrder(part.new_shipment_id, part.new_pack_id, status="paid", payment_ids=payments)
        new = new_order(world, old.seller_id, spec, where, at)
        for payment_id in payments:
            world.payments[payment_id].holders = [old.id, new.id]
        new.closed_ms = at
        new.retag("paid", "not_delivered")
        split = new_shipment(world, old.seller_id, (spec,), part.new_shipment_id, logistic_type, at)
        split.sibling = Sibling(old.shipment_id or 0, at)
        split.tags = ["source_pack_split"]
        shipment_status(world, split, "handling", None, at)


def pack_orders(world: World, order_id: int) -> list[Order]:
    """The order's cart siblings (itself included), in id order."""
    order = get_order(world, order_id)
    if not order.cart or order.shipment_id is None:
        return [order]
    shipment = world.shipments[order.shipment_id]
    return [world.orders[oid] for oid in shipment.order_ids if world.orders[oid].pack_id == order.pack_id]
