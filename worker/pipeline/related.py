"""The documents an order's mapping needs beyond the order, fetched one by one so that one failing document
never costs the events that do not need it.

A related document that answers 404 or 403, stays unreachable through the client's retries, cannot be parsed
or belongs to another seller is left unknown: the mapping then suppresses only the events that need it, and
the order is recorded as having a gap (worker/store/refetch.py) to be fetched again later. A 401 is not a gap:
it means the seller's consent is gone, and the whole job parks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from connectors.errors import InvalidRecord, PermanentError, RemoteNotFound, TransientError
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.mapping import Need, NeedKind, needs
from connectors.mercadolibre.payloads import (
    Claim,
    Order,
    Payment,
    Shipment,
    ShipmentHistoryEntry,
    parse_claims_search,
    parse_history,
    parse_payment,
    parse_shipment,
)
from worker.store.documents import RawDocument

Parsed = TypeVar("Parsed")
MISSING = (RemoteNotFound, PermanentError, TransientError, InvalidRecord)


@dataclass
class Related:
    """The documents fetched for one order, parsed, their raw JSON to keep, and what could not be read."""

    shipment: Shipment | None = None
    history: tuple[ShipmentHistoryEntry, ...] | None = None
    payments: dict[str, Payment] | None = None
    claims: tuple[Claim, ...] | None = None
    raw: list[RawDocument] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "shipment 123: not found (404)", one per failed document
    skipped: list[str] = field(default_factory=list)  # documents that named another seller: never a gap


@dataclass(frozen=True)
class _Fetch:
    client: MlClient
    seller: Seller
    order: Order
    related: Related

    async def one(
        self, need: Need, stored_kind: str, call: Callable[[], Awaitable[Any]], parse: Callable[[Any], Parsed]
    ) -> Parsed | None:
        """Fetch, keep and parse one document; None (and a note of why) when it cannot be had now."""
        try:
            raw = await call()
        except MISSING as exc:
            self.related.missing.append(f"{need.kind} {need.id}: {exc}")
            return None
        self.related.raw.append(RawDocument(stored_kind, need.id, raw, self.order.id))
        try:
            return parse(raw)
        except InvalidRecord as exc:
            self.related.missing.append(f"{need.kind} {need.id}: unreadable ({exc})")
            return None

    def owned(self, need: Need, owner: str | None) -> bool:
        """A document that names another seller is skipped: our token read it, but it is not this seller's."""
        if owner is None or owner == str(self.seller.seller_id):
            return True
        self.related.skipped.append(f"{need.kind} {need.id}: belongs to seller {owner}, not to this account; skipped")
        return False


async def fetch_related(
    client: MlClient, seller: Seller, order: Order, known_claims: Callable[[Order], Any] | None = None
) -> Related:
    """Every document `needs(order)` lists (and the shipment history once the shipment asks for it), fetched side
    by side: an order's shipment, payments and claims do not wait for one another."""
    fetch = _Fetch(client, seller, order, Related())
    plan = needs(order)
    steps = {
        NeedKind.SHIPMENT: lambda need: _shipment(fetch, need),
        NeedKind.PAYMENT: lambda need: _payment(fetch, need),
        NeedKind.CLAIMS_BY_ORDER: lambda need: _claims(fetch, need, known_claims),
    }
    await asyncio.gather(*(steps[need.kind](need) for need in sorted(plan) if need.kind in steps))
    related = fetch.related
    related.missing.sort()
    related.skipped.sort()
    if related.payments is None and not any(need.kind is NeedKind.PAYMENT for need in plan):
        related.payments = {}  # nothing to fetch: no refund can exist, so "known empty" rather than unknown
    return related


async def _shipment(fetch: _Fetch, need: Need) -> None:
    shipment = await fetch.one(need, "shipment", lambda: fetch.client.shipment(fetch.seller, need.id), parse_shipment)
    if shipment is None or not fetch.owned(need, shipment.sender_id):
        return
    fetch.related.shipment = shipment
    history_need = Need(NeedKind.SHIPMENT_HISTORY, need.id)
    if history_need in needs(fetch.order, shipment):
        call = lambda: fetch.client.shipment_history(fetch.seller, need.id)  # noqa: E731
        fetch.related.history = await fetch.one(history_need, "shipment_history", call, parse_history)


async def _payment(fetch: _Fetch, need: Need) -> None:
    payment = await fetch.one(need, "payment", lambda: fetch.client.payment(fetch.seller, need.id), parse_payment)
    if payment is not None and fetch.owned(need, payment.collector_id):
        fetch.related.payments = {**(fetch.related.payments or {}), need.id: payment}


async def _claims(fetch: _Fetch, need: Need, known_claims: Callable[[Order], Any] | None) -> None:
    async def call() -> Any:
        if known_claims is not None:
            return known_claims(fetch.order)
        return await fetch.client.claims_of_order(fetch.seller, need.id)

    fetch.related.claims = await fetch.one(need, "claims", call, parse_claims_search)
