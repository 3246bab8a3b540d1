"""Rules read from the order's shipment and its history: `order.shipped`, `order.delivered` (opt-in).

`order.shipped` means the goods left the seller: the first moment the shipment's history shows them with a
carrier, whatever happened after (delivered, returned, lost). ML's status catalogue (`GET /shipment_statuses`,
tests/fixtures/mercadolibre/shipment_statuses_doc_es.json) says where that is:

* `shipped`, any substatus (Mercado Envíos' own status for "on its way");
* `ready_to_ship` with `picked_up`, `dropped_off`, `in_hub` or `in_transit`: for cross docking and drop off the
  API keeps `ready_to_ship` while the carrier already holds the package (the seller's screen says "en camino");
* `cancelled` with `shipped_outside_me`, `shipped_outside_me_trusted` or `inferred_shipped`: the seller sent
  the goods by other means (not through Mercado Envíos) and ML recorded it;
* failing all of those, the first `delivered` entry (a shipment first seen delivered was shipped too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from connectors.events import Action
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome, Pending
from connectors.mercadolibre.payloads import Shipment, ShipmentHistoryEntry

CARRIER_SUBSTATUSES = frozenset({"picked_up", "dropped_off", "in_hub", "in_transit"})
OUTSIDE_ME_SUBSTATUSES = frozenset({"shipped_outside_me", "shipped_outside_me_trusted", "inferred_shipped"})
# Statuses only a shipment that left the seller reaches (a not_delivered one went out and did not arrive).
AFTER_SHIPPING = frozenset({"shipped", "delivered", "not_delivered"})


def handed_over(status: str, substatus: str | None) -> bool:
    """Whether a shipment in this state has left the seller (with a carrier, or sent outside Mercado Envíos)."""
    if status == "shipped":
        return True
    if status == "ready_to_ship":
        return substatus in CARRIER_SUBSTATUSES
    return status == "cancelled" and substatus in OUTSIDE_ME_SUBSTATUSES


def went_out(shipment: Shipment) -> bool:
    """The shipment's current state says the goods left at some point (then its history dates it)."""
    return shipment.status in AFTER_SHIPPING or handed_over(shipment.status, shipment.substatus)


def first_entry(history: Sequence[ShipmentHistoryEntry], status: str) -> datetime | None:
    """The earliest date the history shows the shipment in `status` (histories need not be in order)."""
    dates = [entry.date for entry in history if entry.status == status]
    return min(dates) if dates else None


def shipped_at(bundle: OrderBundle, shipment: Shipment) -> datetime | None:
    """The first hand-over in the history; the first delivery; or the legacy `status_history` dates."""
    history = bundle.shipment_history or ()
    handed = [entry.date for entry in history if handed_over(entry.status, entry.substatus)]
    if handed:
        return min(handed)
    found = first_entry(history, "delivered")
    if found is not None:
        return found
    legacy = shipment.status_history
    if legacy is None:
        return None
    return legacy.date_shipped or legacy.date_delivered


def delivered_at(bundle: OrderBundle, shipment: Shipment) -> datetime | None:
    found = first_entry(bundle.shipment_history or (), "delivered")
    if found is None and shipment.status_history is not None:
        return shipment.status_history.date_delivered
    return found


def _missing_time(bundle: OrderBundle, shipment: Shipment, action: Action) -> str:
    state = f"{shipment.status}/{shipment.substatus}" if shipment.substatus else shipment.status
    if bundle.shipment_history is None:
        return Pending(f"{action}: shipment {shipment.id} is {state} but its history was not fetched")
    return Pending(f"{action}: shipment {shipment.id} is {state} but its history has no matching entry")


def _event(context: OrderContext, shipment: Shipment, action: Action, tracked_at: datetime) -> Outcome:
    verb = "shipped" if action is Action.ORDER_SHIPPED else "delivered"
    event = context.event(
        action,
        tracked_at,
        f"ml:order:{context.order_id}:{verb}",
        context.total_amount,
        shipment_id=shipment.id,
        shipment_status=shipment.status,
        shipment_substatus=shipment.substatus,
        tracking_number=shipment.tracking_number,
    )
    return [event], []


def shipped(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    shipment = bundle.shipment
    if shipment is None or not went_out(shipment):
        return [], []
    tracked_at = shipped_at(bundle, shipment)
    if tracked_at is not None:
        return _event(context, shipment, Action.ORDER_SHIPPED, tracked_at)
    if bundle.shipment_history is not None and shipment.status == "not_delivered":
        state = f"{shipment.status}/{shipment.substatus}"
        return [], [f"order.shipped: shipment {shipment.id} is {state} and its history shows no hand-over; no event"]
    return [], [_missing_time(bundle, shipment, Action.ORDER_SHIPPED)]


def delivered(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    shipment = bundle.shipment
    if not options.include_delivered or shipment is None or shipment.status != "delivered":
        return [], []
    tracked_at = delivered_at(bundle, shipment)
    if tracked_at is None:
        return [], [_missing_time(bundle, shipment, Action.ORDER_DELIVERED)]
    return _event(context, shipment, Action.ORDER_DELIVERED, tracked_at)
