"""One line of key fields per stored ML document, for `meli explain`. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from connectors.errors import InvalidRecord
from connectors.mercadolibre.payloads import (
    parse_claims_search,
    parse_history,
    parse_order,
    parse_payment,
    parse_shipment,
)
from worker.support.documents import StoredDocument, money, parsed


def _status(status: str | None, detail: str | None) -> str:
    return f"status {status or 'unknown'}" + (f" ({detail})" if detail else "")


def _order(doc: StoredDocument) -> str:
    order = parsed(doc, parse_order)
    parts = [_status(order.status, order.status_detail), f"total {money(order.total_amount)} {order.currency_id}"]
    if order.tags:
        parts.append("tags " + ", ".join(order.tags))
    if order.cancel_detail is not None and order.cancel_detail.code:
        parts.append(f"cancel code {order.cancel_detail.code}")
    payments = [f"{payment.id} {payment.status or 'unknown'}" for payment in order.payments]
    parts.append("payments " + (", ".join(payments) if payments else "none"))
    parts.append(f"shipment {order.shipment_id or 'none'}")
    return "; ".join(parts)


def _shipment(doc: StoredDocument) -> str:
    shipment = parsed(doc, parse_shipment)
    return _status(shipment.status, shipment.substatus)


def _history(doc: StoredDocument) -> str:
    entries = sorted(parsed(doc, parse_history), key=lambda entry: entry.date)
    path = " > ".join(entry.status for entry in entries)
    return f"{len(entries)} entries" + (f": {path}" if path else "")


def _payment(doc: StoredDocument) -> str:
    payment = parsed(doc, parse_payment)
    refunds = ", ".join(f"{refund.id} {money(refund.amount)}" for refund in payment.refunds)
    return _status(payment.status, payment.status_detail) + "; refunds " + (refunds or "none")


def _claims(doc: StoredDocument) -> str:
    claims = parsed(doc, parse_claims_search)
    if not claims:
        return "no claims"
    return "; ".join(f"claim {claim.id} {claim.type or 'untyped'} {claim.status or 'unknown'}" for claim in claims)


SUMMARIES: Final[dict[str, Callable[[StoredDocument], str]]] = {
    "order": _order,
    "shipment": _shipment,
    "shipment_history": _history,
    "payment": _payment,
    "claims": _claims,
}


def summarize(doc: StoredDocument) -> str:
    summary = SUMMARIES.get(doc.kind)
    if summary is None:
        return "unknown kind of document"
    try:
        return summary(doc)
    except InvalidRecord as error:
        return f"unreadable: {error}"
