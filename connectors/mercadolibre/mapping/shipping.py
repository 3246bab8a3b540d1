"""Rules read from the order's shipment and its history: `order.shipped`, `order.delivered` (opt-in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from connectors.events import Action
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle, OrderContext, Outcome
from connectors.mercadolibre.payloads import Shipment, ShipmentHistoryEntry

SHIPPED_STATUSES = frozenset({"shipped", "delivered"})


def first_entry(history: Sequence[ShipmentHistoryEntry], status: str) -> datetime | None:
    """The earliest date the history shows the shipment in `status`."""
    dates = [entry.date for entry in history if entry.status == status]
    return min(dates) if dates else None


def _legacy(shipment: Shipment, status: str) -> datetime | None:
    legacy = shipment.status_history
    if legacy is None:
        return None
    return legacy.date_shipped if status == "shipped" else legacy.date_delivered


def transition_time(bundle: OrderBundle, shipment: Shipment, statuses: tuple[str, ...]) -> datetime | None:
    """The first history date of the first status found; the legacy `status_history` when no history says."""
    for status in statuses:
        found = first_entry(bundle.shipment_history or (), status)
        if found is not None:
            return found
    for status in statuses:
        found = _legacy(shipment, status)
        if found is not None:
            return found
    return None


def _missing_time(bundle: OrderBundle, shipment: Shipment, action: Action) -> str:
    if bundle.shipment_history is None:
        return f"{action}: shipment {shipment.id} is {shipment.status} but its history was not fetched"
    return f"{action}: shipment {shipment.id} is {shipment.status} but its history has no matching entry"


def _shipment_event(bundle: OrderBundle, context: OrderContext, action: Action, statuses: tuple[str, ...]) -> Outcome:
    shipment = bundle.shipment
    if shipment is None or shipment.status not in statuses:
        return [], []
    tracked_at = transition_time(bundle, shipment, statuses)
    if tracked_at is None:
        return [], [_missing_time(bundle, shipment, action)]
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
    """A shipment first seen `delivered` was shipped too: its first `delivered` entry dates the shipping."""
    return _shipment_event(bundle, context, Action.ORDER_SHIPPED, ("shipped", "delivered"))


def delivered(bundle: OrderBundle, context: OrderContext, options: MappingOptions) -> Outcome:
    if not options.include_delivered:
        return [], []
    return _shipment_event(bundle, context, Action.ORDER_DELIVERED, ("delivered",))
