"""Pack split (`pack_splitted`): each order of a paid pack is cancelled and re-created with its own shipment.

The old orders are cancelled with `cancel_detail.code = "pack_splitted"` (no `order.cancelled` event),
their shared shipment is cancelled with substatus `pack_splitted`, and each new order gets a new id, a new
approved payment (same amounts, approved at the split) and a shipment in `handling`. The old payments stay
approved: API.md does not say what ML does with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sandboxes.mercadolibre.facts import FactKind
from sandboxes.mercadolibre.model import CancelDetail, Order
from sandboxes.mercadolibre.steps import get_order, live_order, order_changed, require, shipment_status
from sandboxes.mercadolibre.steps_order import OrderSpec, approve, new_order, new_shipment
from sandboxes.mercadolibre.world import World


@dataclass(slots=True, frozen=True)
class SplitPart:
    old_order_id: int
    new_order_id: int
    new_payment_id: int
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
        olds = [live_order(world, part.old_order_id) for part in self.parts]
        require(all(o.pack_id == self.pack_id and o.status == "paid" for o in olds), "pack is not paid")
        shipment = world.shipments[olds[0].shipment_id or 0]
        require(shipment.status == "handling", f"shipment {shipment.id} is {shipment.status}")
        for old, part in zip(olds, self.parts, strict=True):
            old.cancel_detail = CancelDetail("shipment", "pack_splitted", "Pack splitted", "system", at)
            old.status, old.tags = "cancelled", ["not_delivered"]
            world.record(FactKind.ORDER_CANCELLED, at, old.seller_id, order_id=old.id, detail="pack_splitted")
            order_changed(world, old, at)
            spec = OrderSpec(part.new_order_id, old.buyer_id, tuple(old.lines), part.new_payment_id)
            new = new_order(world, old.seller_id, spec, part.new_shipment_id, None, at)
            approve(world, new, world.payments[part.new_payment_id], at)
            split = new_shipment(world, old.seller_id, (spec,), part.new_shipment_id, at)
            shipment_status(world, split, "handling", None, at)
        shipment_status(world, shipment, "cancelled", "pack_splitted", at)


def pack_orders(world: World, order_id: int) -> list[Order]:
    """The order's pack siblings (itself included), in id order."""
    order = get_order(world, order_id)
    if order.pack_id is None:
        return [order]
    shipment = world.shipments[order.shipment_id or 0]
    return [world.orders[oid] for oid in shipment.order_ids if world.orders[oid].pack_id == order.pack_id]
