"""Boundary parsing: raw JSON (dicts and lists) → typed ML documents, or InvalidRecord naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.payloads.documents import Claim, ClaimsPage, Payment, Shipment, ShipmentHistoryEntry
from connectors.mercadolibre.payloads.fields import describe
from connectors.mercadolibre.payloads.order import Order

Model = TypeVar("Model", bound=BaseModel)
Document = Order | Shipment | tuple[ShipmentHistoryEntry, ...] | Payment | Claim | ClaimsPage


def _validate(model: type[Model], raw: object, prefix: str) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise describe(error, prefix) from None


def parse_order(raw: object) -> Order:
    return _validate(Order, raw, "order")


def parse_shipment(raw: object) -> Shipment:
    return _validate(Shipment, raw, "shipment")


def parse_payment(raw: object) -> Payment:
    return _validate(Payment, raw, "payment")


def parse_claim(raw: object) -> Claim:
    return _validate(Claim, raw, "claim")


def _unwrap_list(raw: object, keys: tuple[str, ...], name: str) -> list[Any]:
    if isinstance(raw, dict):
        raw = next((raw[key] for key in keys if isinstance(raw.get(key), list)), raw)
    if not isinstance(raw, list):
        raise InvalidRecord(name, "must be a list")
    return raw


def parse_history(raw: object) -> tuple[ShipmentHistoryEntry, ...]:
    """`GET /shipments/{id}/history`: a list of `{status, substatus, date}` (a `{"history": [...]}` too)."""
    entries = _unwrap_list(raw, ("history", "data", "results"), "shipment_history")
    return tuple(
        _validate(ShipmentHistoryEntry, entry, f"shipment_history[{index}]") for index, entry in enumerate(entries)
    )


def parse_claims_search(raw: object) -> tuple[Claim, ...]:
    """`GET /post-purchase/v1/claims/search`: `{"paging": {...}, "data": [claims]}`."""
    entries = _unwrap_list(raw, ("data", "results"), "claims_search.data")
    return tuple(_validate(Claim, entry, f"claims_search.data[{index}]") for index, entry in enumerate(entries))


PARSERS: dict[Kind, Callable[[object], Document]] = {
    Kind.ORDER: parse_order,
    Kind.MARKETPLACE_ORDER: parse_order,
    Kind.SHIPMENT: parse_shipment,
    Kind.SHIPMENT_HISTORY: parse_history,
    Kind.PAYMENT: parse_payment,
    Kind.CLAIM: parse_claim,
    Kind.CLAIMS: lambda raw: ClaimsPage(claims=parse_claims_search(raw)),
}

# Keys that only one kind of document carries, checked in this order (orders also hold `payments`).
_MARKERS: tuple[tuple[Kind, frozenset[str]], ...] = (
    # Not `pack_id` or `buyer`: packs and the shipments of GET /orders/{id}/shipments have them too.
    (Kind.ORDER, frozenset({"order_items", "total_amount"})),
    # Not `resource_id`: returns (GET /post-purchase/v2/claims/{id}/returns) have it too.
    (Kind.CLAIM, frozenset({"players", "stage", "claim_version"})),
    (Kind.PAYMENT, frozenset({"collection", "transaction_amount", "refunds", "date_approved", "payer"})),
    (Kind.SHIPMENT, frozenset({"logistic", "tracking_number", "substatus", "lead_time", "status_history"})),
)


def _history_entry(entry: object) -> bool:
    """`{status, substatus, date}`; a claim's status history (`stage`, `change_by`) is not one."""
    return isinstance(entry, dict) and {"status", "date"} <= entry.keys() and "stage" not in entry


def detect_kind(raw: object) -> Kind:
    """Which ML document this is, from the keys it carries (for `meli map` without `--kind`)."""
    entries = raw.get("history") if isinstance(raw, dict) else raw
    if isinstance(entries, list):
        if all(_history_entry(entry) for entry in entries):
            return Kind.SHIPMENT_HISTORY
        raise InvalidRecord("document", "a list that is not a shipment history (entries of {status, substatus, date})")
    if isinstance(raw, dict) and isinstance(raw.get("data"), list) and "paging" in raw:
        return Kind.CLAIMS
    if isinstance(raw, dict):
        keys = frozenset(str(key) for key in raw)
        for kind, markers in _MARKERS:
            if keys & markers:
                return kind
    raise InvalidRecord(
        "document", "not a recognised ML order, shipment, shipment history, payment, claim or claims search page"
    )


def parse_document(raw: object, kind: Kind | str | None = None) -> Document:
    """Parse a raw ML document of the given kind (detected when not given)."""
    if kind is None:
        chosen = detect_kind(raw)
    else:
        try:
            chosen = Kind(kind)
        except ValueError:
            known = ", ".join(k.value for k in Kind)
            raise InvalidRecord("kind", f"{kind!r} is not a document kind (known: {known})") from None
    return PARSERS[chosen](raw)
