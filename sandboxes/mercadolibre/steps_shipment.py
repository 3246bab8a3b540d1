"""Shipment progress along the documented path of each logistic type (ME2 types of ME2,
https://developers.mercadolibre.com.ve/es_ar/mercadoenvios-modo-2; tracking tables of SHIP,
https://developers.mercadolibre.com.ve/es_ar/envios; Flex states of FLEX,
https://developers.mercadolibre.com.ve/es_ar/envios-flex). Every (status, substatus) used is in ML's
catalogue (`GET /shipment_statuses`, tests/fixtures/mercadolibre/shipment_statuses_doc_es.json).

A shipment moves forward along its path (skipping is allowed: a carrier scan can be missed), or leaves it by
a side exit: not delivered and returned to the seller after leaving, or shipped outside Mercado Envíos while
the label is not used yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from sandboxes.mercadolibre.model import PAID
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.steps import InvalidTransition, order_changed, require, shipment_status
from sandboxes.mercadolibre.world import World

State = tuple[str, str | None]
HANDLING: Final[State] = ("handling", None)
TO_PRINT: Final[State] = ("ready_to_ship", "ready_to_print")
PRINTED: Final[State] = ("ready_to_ship", "printed")
DROPPED_OFF: Final[State] = ("ready_to_ship", "dropped_off")
IN_HUB: Final[State] = ("ready_to_ship", "in_hub")
SHIPPED: Final[State] = ("shipped", None)
DELIVERED: Final[State] = ("delivered", None)
PATHS: Final[dict[str, tuple[State, ...]]] = {
    "drop_off": (HANDLING, TO_PRINT, PRINTED, DROPPED_OFF, ("shipped", "out_for_delivery"), DELIVERED),
    "xd_drop_off": (HANDLING, TO_PRINT, PRINTED, DROPPED_OFF, IN_HUB, SHIPPED, DELIVERED),
    "cross_docking": (HANDLING, TO_PRINT, PRINTED, ("ready_to_ship", "picked_up"), IN_HUB, SHIPPED, DELIVERED),
    "fulfillment": (HANDLING, ("ready_to_ship", "in_warehouse"), ("ready_to_ship", "packed"), SHIPPED, DELIVERED),
    "self_service": (
        HANDLING, ("ready_to_ship", "ready_for_pickup"), ("shipped", "out_for_delivery"),
        ("shipped", "receiver_absent"), DELIVERED,
    ),
}  # fmt: skip
RETURNING: Final[State] = ("not_delivered", "returning_to_sender")
RETURNED: Final[State] = ("not_delivered", "returned")
OUTSIDE_ME: Final[State] = ("cancelled", "shipped_outside_me")
LOGISTIC_TYPES: Final = tuple(PATHS)


def default_logistic_type(shipment_id: int) -> str:
    """The control API's choice when none is asked for."""
    return "cross_docking" if shipment_id % 3 else "drop_off"


def first_ready(logistic_type: str) -> State:
    return next(state for state in PATHS[logistic_type] if state[0] == "ready_to_ship")


def first_shipped(logistic_type: str) -> State:
    return next(state for state in PATHS[logistic_type] if state[0] == "shipped")


def label(state: State) -> str:
    return state[0] if state[1] is None else f"{state[0]}/{state[1]}"


def _side_exits(state: State) -> tuple[State, ...]:
    if state in (TO_PRINT, PRINTED):
        return (OUTSIDE_ME,)
    if state[0] == "shipped":
        return (RETURNING,)
    if state == RETURNING:
        return (RETURNED,)
    return ()


def can_move(shipment: Shipment, target: State) -> bool:
    path, here = PATHS[shipment.logistic_type], shipment.state
    if target in _side_exits(here):
        return True
    if here not in path or target not in path:
        return False
    return path.index(target) > path.index(here)


def start_handling(world: World, shipment: Shipment, at: int) -> None:
    """Once every order of a pending shipment is paid, the seller prepares it."""
    paid = all(world.orders[oid].status in PAID for oid in shipment.order_ids)
    if paid and shipment.status == "pending":
        shipment_status(world, shipment, "handling", None, at)


def deliver_orders(world: World, shipment: Shipment, at: int) -> None:
    for order_id in shipment.order_ids:
        order = world.orders[order_id]
        order.tags = [t for t in order.tags if t != "not_delivered"] + ["delivered"]
        order_changed(world, order, at)


@dataclass(slots=True, frozen=True)
class ShipmentStatus:
    """The shipment moves to (`status`, `substatus`); delivery also retags its orders `delivered`."""

    name: ClassVar[str] = "shipment"
    at: int
    shipment_id: int
    status: str
    substatus: str | None = None

    def order_ids(self, world: World) -> tuple[int, ...]:
        shipment = world.shipments.get(self.shipment_id)
        return tuple(shipment.order_ids) if shipment else ()

    def apply(self, world: World, at: int) -> None:
        shipment = world.shipments.get(self.shipment_id)
        if shipment is None:
            raise InvalidTransition(f"shipment {self.shipment_id} does not exist yet")
        target = (self.status, self.substatus)
        move = f"{label(shipment.state)} -> {label(target)}"
        require(can_move(shipment, target), f"shipment {shipment.id} cannot go {move}")
        for order_id in shipment.order_ids:
            order = world.orders[order_id]
            require(order.status in PAID and not order.terminal, f"order {order_id} is {order.status}")
        shipment_status(world, shipment, self.status, self.substatus, at)
        if self.status == "delivered":
            deliver_orders(world, shipment, at)
