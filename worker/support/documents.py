"""Stored raw ML documents → the mapping's input, plus a one-line summary of each. Pure: no I/O.

The bundle is rebuilt the way the live path builds it (`worker.pipeline.sync`): a related document that was never
fetched stays unknown (None), and payments are "known empty" when the order needs none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping import NeedKind, OrderBundle, needs
from connectors.mercadolibre.payloads import (
    Order,
    Payment,
    parse_claim,
    parse_claims_search,
    parse_history,
    parse_order,
    parse_payment,
    parse_shipment,
)
from worker.pipeline.related import Related
from worker.pipeline.sync import bundle_from_raw

T = TypeVar("T")
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class StoredDocument:
    """One raw ML document as the store keeps it: kind (`order`, `shipment`, `shipment_history`, `payment`,
    `claims`), its ML id and the JSON last fetched."""

    kind: str
    ref: str
    raw: Any
    fetched_at: datetime | None = None


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(_CENTS):f}"


def parsed(document: StoredDocument, parser: Callable[[object], T]) -> T:
    """Parse one stored document; an unreadable one raises InvalidRecord naming kind and id."""
    try:
        return parser(document.raw)
    except InvalidRecord as error:
        raise InvalidRecord(f"{document.kind} {document.ref}", str(error)) from None


def find(documents: Sequence[StoredDocument], kind: str, ref: str | None) -> StoredDocument | None:
    return next((doc for doc in documents if doc.kind == kind and doc.ref == ref), None)


def bundle_from_documents(order_id: str, documents: Sequence[StoredDocument]) -> OrderBundle:
    """The mapping input of one order from its stored documents. Raises InvalidRecord when the order document
    is missing or any document cannot be parsed."""
    order_doc = find(documents, "order", order_id)
    if order_doc is None:
        raise InvalidRecord(f"order {order_id}", "no stored order document")
    order = parsed(order_doc, parse_order)
    related = Related()
    shipment_doc = find(documents, "shipment", order.shipment_id)
    if shipment_doc is not None:
        related.shipment = parsed(shipment_doc, parse_shipment)
        history_doc = find(documents, "shipment_history", order.shipment_id)
        related.history = parsed(history_doc, parse_history) if history_doc is not None else None
    related.payments = _payments(order, documents)
    claims_doc = find(documents, "claims", order_id)
    related.claims = parsed(claims_doc, parse_claims_search) if claims_doc is not None else None
    extra = [parsed(doc, parse_claim) for doc in documents if doc.kind == "claim"]
    return bundle_from_raw(order_doc.raw, related, extra)


def _payments(order: Order, documents: Sequence[StoredDocument]) -> dict[str, Payment] | None:
    found = {doc.ref: parsed(doc, parse_payment) for doc in documents if doc.kind == "payment"}
    if found:
        return found
    wanted = any(need.kind is NeedKind.PAYMENT for need in needs(order))
    return None if wanted else {}


def related_ids(order_id: str, documents: Sequence[StoredDocument]) -> dict[str, set[str]]:
    """Ids of the resources a notification about this order can name, by inbox `kind`."""
    kinds = (Kind.ORDER, Kind.MARKETPLACE_ORDER, Kind.SHIPMENT, Kind.PAYMENT, Kind.CLAIM)
    ids: dict[str, set[str]] = {kind.value: set() for kind in kinds}
    ids[Kind.ORDER.value].add(order_id)
    ids[Kind.MARKETPLACE_ORDER.value].add(order_id)
    for doc in documents:
        try:
            _add_ids(ids, order_id, doc)
        except InvalidRecord:
            continue  # an unreadable document names no ids; explain shows its problem elsewhere
    return ids


def _add_ids(ids: dict[str, set[str]], order_id: str, doc: StoredDocument) -> None:
    if doc.kind == "order" and doc.ref == order_id:
        order = parsed(doc, parse_order)
        ids[Kind.PAYMENT.value].update(payment.id for payment in order.payments)
        if order.shipment_id is not None:
            ids[Kind.SHIPMENT.value].add(order.shipment_id)
    elif doc.kind in ("shipment", "shipment_history"):
        ids[Kind.SHIPMENT.value].add(doc.ref)
    elif doc.kind == "payment":
        ids[Kind.PAYMENT.value].add(doc.ref)
    elif doc.kind == "claims":
        ids[Kind.CLAIM.value].update(claim.id for claim in parsed(doc, parse_claims_search))
