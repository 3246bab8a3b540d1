"""The fetch plan as data: which documents the mapping of an order needs, and which orders a document names.

The worker's fetch-and-map path is:
1. fetch the notified document (`notifications.resource_ref`);
2. find its order(s) with `linked_order_ids` (a new-format shipment names none: look the shipment id up in the
   store, or in `GET /shipments/{id}/items`), and fetch each order;
3. fetch what `needs(order)` lists, then what `needs(order, shipment)` adds once the shipment is known;
4. `map_order(OrderBundle(...))`, passing only what was fetched (None = unknown).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from connectors.mercadolibre.mapping.order_rules import approved_payments
from connectors.mercadolibre.mapping.refunds import refunded_payments
from connectors.mercadolibre.mapping.shipping import went_out
from connectors.mercadolibre.payloads import Claim, Order, Payment, Shipment


class NeedKind(StrEnum):
    SHIPMENT = "shipment"  # GET /shipments/{id} (x-format-new: true)
    SHIPMENT_HISTORY = "shipment_history"  # GET /shipments/{id}/history
    PAYMENT = "payment"  # GET /collections/{id}
    CLAIMS_BY_ORDER = "claims_by_order"  # GET /post-purchase/v1/claims/search?order_id={id}


class Need(NamedTuple):
    kind: NeedKind
    id: str


def needs(order: Order, shipment: Shipment | None = None) -> frozenset[Need]:
    """The smallest set of documents that keeps every event of the contract correct for this order.

    * the shipment, whenever the order has `shipping.id`;
    * its history, once the shipment's state says the goods left the seller (shipping.py: only then is a date
      needed);
    * the full payment of every payment that shows a refund (`transaction_amount_refunded > 0`, status or
      status_detail `refunded`/`partially_refunded`), and of every approved payment when the order is
      cancelled (not `pack_splitted`), `partially_refunded` or tagged `unfulfilled`: only the payment's
      `refunds[]` dates and sizes refunds;
    * the order's claims, once the order is confirmed (a claim asking for money back needs a paid order).
    """
    wanted: set[Need] = set()
    shipment_id = order.shipment_id
    if shipment_id is not None:
        wanted.add(Need(NeedKind.SHIPMENT, shipment_id))
        if shipment is not None and shipment.id == shipment_id and went_out(shipment):
            wanted.add(Need(NeedKind.SHIPMENT_HISTORY, shipment_id))
    wanted.update(Need(NeedKind.PAYMENT, payment.id) for payment in refunded_payments(order))
    if approved_payments(order):
        wanted.add(Need(NeedKind.CLAIMS_BY_ORDER, order.id))
    return frozenset(wanted)


def linked_order_ids(document: Shipment | Payment | Claim) -> tuple[str, ...]:
    """The order ids a related document names itself (empty for a new-format shipment or a claim that is on a
    payment or shipment rather than an order)."""
    order_id = document.order_id
    return (order_id,) if order_id is not None else ()
