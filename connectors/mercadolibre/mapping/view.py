"""The events-only view behind `meli map FILE...`: any ML documents in, event dicts and problems out.

Documents are grouped per order; a related document that was not given is unknown (its events are suppressed,
never an error), and a shipment, payment or claim whose order was not given is reported as a problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Context, Decimal
from typing import Any

from connectors.errors import InvalidRecord
from connectors.events import Event
from connectors.mercadolibre.mapping.bundle import MappingOptions, OrderBundle
from connectors.mercadolibre.mapping.order import first_per_key, map_order
from connectors.mercadolibre.mapping.refunds import claim_concerns
from connectors.mercadolibre.payloads import (
    Claim,
    ClaimsPage,
    Document,
    Order,
    Payment,
    Shipment,
    ShipmentHistoryEntry,
    parse_document,
)

_CENTS = Decimal("0.01")
_WIDE = Context(prec=60)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON shape of an event: ISO 8601 UTC `Z` times with milliseconds, amounts with two decimals."""
    moment = event.tracked_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    amount = None if event.amount is None else f"{event.amount.quantize(_CENTS, context=_WIDE):f}"
    return {
        "action": str(event.action),
        "tracked_at": moment,
        "amount": amount,
        "currency": event.currency,
        "order_reference": event.order_reference,
        "subscriber_external_id": event.subscriber_external_id,
        "dedupe_key": event.dedupe_key,
        "properties": dict(event.properties),
    }


@dataclass(frozen=True)
class DryRun:
    events: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)


@dataclass
class _Documents:
    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    history: list[ShipmentHistoryEntry] = field(default_factory=list)
    histories: int = 0
    payments: list[Payment] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    claim_pages: int = 0  # claims search pages given: their orders' claims are known, even when none


def _sort(documents: Sequence[Document]) -> _Documents:
    found = _Documents()
    for document in documents:
        if isinstance(document, Order):
            found.orders.append(document)
        elif isinstance(document, Shipment):
            found.shipments.append(document)
        elif isinstance(document, Payment):
            found.payments.append(document)
        elif isinstance(document, Claim):
            found.claims.append(document)
        elif isinstance(document, ClaimsPage):
            found.claims.extend(document.claims)
            found.claim_pages += 1
        else:
            found.history.extend(document)
            found.histories += 1
    return found


def _bundle(order: Order, found: _Documents) -> OrderBundle:
    shipment = next((doc for doc in found.shipments if doc.id == order.shipment_id), None)
    own = {payment.id for payment in order.payments}
    payments = {doc.id: doc for doc in found.payments if doc.id in own or doc.order_id == order.id}
    claims = [claim for claim in found.claims if claim_concerns(claim, order)]
    history = found.history if shipment is not None and len(found.shipments) == 1 and found.histories else None
    known_claims = claims if claims or found.claim_pages else None
    return OrderBundle(order, shipment, history, payments or None, known_claims)


def _orphans(found: _Documents) -> list[str]:
    order_ids = {order.id for order in found.orders}
    shipment_ids = {order.shipment_id for order in found.orders}
    payment_ids = {payment.id for order in found.orders for payment in order.payments}
    problems = [
        f"shipment {doc.id}: its order was not given; no events"
        for doc in found.shipments
        if doc.id not in shipment_ids
    ]
    problems += [
        f"payment {doc.id}: its order was not given; no events"
        for doc in found.payments
        if doc.id not in payment_ids and doc.order_id not in order_ids
    ]
    for claim in found.claims:
        if not any(claim_concerns(claim, order) for order in found.orders):
            problems.append(
                f"claim {claim.id}: its order ({claim.resource} {claim.resource_id}) was not given; no events"
            )
    if found.histories and len(found.shipments) != 1:
        problems.append("shipment history: give exactly one shipment with it; history ignored")
    return problems


def map_documents(documents: Sequence[Document], options: MappingOptions | None = None) -> DryRun:
    """Map parsed documents of any kinds; events sorted by tracked_at then dedupe_key, first per key kept."""
    found = _sort(documents)
    events: list[Event] = []
    problems = _orphans(found)
    for order in found.orders:
        result = map_order(_bundle(order, found), options)
        events.extend(result.events)
        problems.extend(result.problems)
    ordered = sorted(first_per_key(events), key=lambda event: (event.tracked_at, event.dedupe_key))
    return DryRun([event_to_dict(event) for event in ordered], problems)


def map_raw_documents(raws: Sequence[object], options: MappingOptions | None = None) -> DryRun:
    """Parse raw JSON documents (kind detected) and map them. Raises InvalidRecord naming the document."""
    documents: list[Document] = []
    for index, raw in enumerate(raws):
        try:
            documents.append(parse_document(raw))
        except InvalidRecord as error:
            raise InvalidRecord(f"document[{index}].{error.field}", error.problem) from None
    return map_documents(documents, options)
