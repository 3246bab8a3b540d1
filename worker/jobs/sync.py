"""The one fetch-and-map path: live notifications, re-syncs, backfills and replays all end here.

`sync_order` fetches an order and exactly the related documents the fetch plan asks for, maps them with the
pure mapping, and stores subscriber, order object and events (insert-or-ignore, so running it twice adds
nothing). `orders_for` turns a notified shipment, payment or claim into the order ids to sync.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import RemoteNotFound
from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping import MappingOptions, MappingResult, NeedKind, OrderBundle, map_order, needs
from connectors.mercadolibre.mapping.fetch_plan import linked_order_ids
from connectors.mercadolibre.payloads import (
    Claim,
    Order,
    Payment,
    Shipment,
    ShipmentHistoryEntry,
    parse_claim,
    parse_claims_search,
    parse_history,
    parse_order,
    parse_payment,
    parse_shipment,
)
from worker.store.db import Database
from worker.store.documents import RawDocument, save_documents_in
from worker.store.events import EventRecord, append_events_in
from worker.store.profiles import order_references_for_shipment, upsert_order_object_in, upsert_subscriber_in


@dataclass(frozen=True)
class SyncTarget:
    """Whose order this is: the seller (for tokens and budgets) and the business (for the store)."""

    seller: Seller
    business_id: int


@dataclass
class SyncReport:
    orders: int = 0
    new_events: Counter[str] = field(default_factory=Counter)  # newly stored events by action
    problems: list[str] = field(default_factory=list)

    @property
    def events_added(self) -> int:
        return sum(self.new_events.values())

    def add(self, other: SyncReport) -> None:
        self.orders += other.orders
        self.new_events.update(other.new_events)
        self.problems += other.problems


@dataclass(frozen=True)
class Known:
    """Documents the caller already holds, so the path skips their GETs: the order as an orders search page
    returned it (same document as `GET /orders/{id}`), and its claims from a claims search by seller, shaped
    like the answer of `claims_of_order`. None = fetch it."""

    order: Any = None
    claims: Any = None


@dataclass
class Related:
    """The documents fetched for one order, parsed, plus their raw JSON to keep."""

    shipment: Shipment | None = None
    history: tuple[ShipmentHistoryEntry, ...] | None = None
    payments: dict[str, Payment] | None = None
    claims: tuple[Claim, ...] | None = None
    raw: list[RawDocument] = field(default_factory=list)

    def keep(self, kind: str, ref: str, raw: Any, order_id: str) -> Any:
        self.raw.append(RawDocument(kind, ref, raw, order_id))
        return raw


async def _related(client: MlClient, seller: Seller, order: Order, known_claims: Any = None) -> Related:
    related = Related()
    plan = needs(order)
    for need in sorted(plan):
        if need.kind is NeedKind.SHIPMENT:
            raw = related.keep("shipment", need.id, await client.shipment(seller, need.id), order.id)
            related.shipment = parse_shipment(raw)
            if any(n.kind is NeedKind.SHIPMENT_HISTORY for n in needs(order, related.shipment)):
                raw = related.keep(
                    "shipment_history", need.id, await client.shipment_history(seller, need.id), order.id
                )
                related.history = parse_history(raw)
        elif need.kind is NeedKind.PAYMENT:
            raw = related.keep("payment", need.id, await client.payment(seller, need.id), order.id)
            related.payments = {**(related.payments or {}), need.id: parse_payment(raw)}
        elif need.kind is NeedKind.CLAIMS_BY_ORDER:
            found = known_claims if known_claims is not None else await client.claims_of_order(seller, need.id)
            raw = related.keep("claims", need.id, found, order.id)
            related.claims = parse_claims_search(raw)
    if related.payments is None and not any(n.kind is NeedKind.PAYMENT for n in plan):
        related.payments = {}  # nothing to fetch: no refund can exist, so "known empty" rather than unknown
    return related


def bundle_from_raw(raw_order: Any, related: Related) -> OrderBundle:
    return OrderBundle(
        parse_order(raw_order), related.shipment, related.history, related.payments, related.claims, raw=raw_order
    )


async def fetch_and_map(
    client: MlClient, seller: Seller, order_id: str, options: MappingOptions, known: Known | None = None
) -> tuple[MappingResult, list[RawDocument]]:
    known = known or Known()
    raw = known.order if known.order is not None else await client.order(seller, order_id)
    related = await _related(client, seller, parse_order(raw), known.claims)
    result = map_order(bundle_from_raw(raw, related), options)
    return result, [RawDocument("order", order_id, raw, order_id), *related.raw]


async def store_result(
    db: Database,
    business_id: int,
    result: MappingResult,
    origin: Origin,
    historical_before: datetime | None = None,
    documents: tuple[int, Sequence[RawDocument]] | None = None,
) -> Counter[str]:
    """Store the mapping's subscriber, order object and events (and `documents`: the account's raw documents
    behind them) in one transaction. `historical_before`: events tracked before it (the seller's connection)
    get `properties.historical`."""
    async with db.connect() as conn:
        if documents is not None:
            await save_documents_in(conn, *documents)
        subscriber_id = await upsert_subscriber_in(conn, business_id, result.subscriber)
        order_object_id, _ = await upsert_order_object_in(conn, business_id, result.order, subscriber_id)
        records = [
            EventRecord(
                action=event.action.value,
                subscriber_id=subscriber_id,
                order_object_id=order_object_id,
                tracked_at=event.tracked_at,
                dedupe_key=event.dedupe_key,
                source=result.order.source,
                origin=origin.value,
                amount=event.amount,
                currency=event.currency,
                properties=_properties(event.properties, event.tracked_at, historical_before),
            )
            for event in result.events
        ]
        return await append_events_in(conn, business_id, records)


def _properties(properties: Any, tracked_at: datetime, historical_before: datetime | None) -> dict[str, Any]:
    if historical_before is not None and tracked_at < historical_before:
        return {**properties, "historical": True}
    return dict(properties)


async def sync_order(
    db: Database,
    client: MlClient,
    target: SyncTarget,
    order_id: str,
    options: MappingOptions,
    origin: Origin,
    *,
    known: Known | None = None,
    historical_before: datetime | None = None,
) -> SyncReport:
    result, documents = await fetch_and_map(client, target.seller, order_id, options, known)
    added = await store_result(
        db, target.business_id, result, origin, historical_before, (target.seller.account_id, documents)
    )
    return SyncReport(orders=1, new_events=added, problems=list(result.problems))


async def orders_for(db: Database, client: MlClient, target: SyncTarget, kind: Kind, resource_id: str) -> list[str]:
    """The orders a notified resource belongs to (a pack's shipment belongs to several)."""
    if kind is Kind.ORDER:
        return [resource_id]
    document: Any
    if kind is Kind.SHIPMENT:
        known = await order_references_for_shipment(db, target.business_id, resource_id)
        if known:
            return known
        items = await client.shipment_items(target.seller, resource_id)
        found = {str(item["order_id"]) for item in items if isinstance(item, dict) and item.get("order_id")}
        return sorted(found)
    if kind is Kind.PAYMENT:
        document = parse_payment(await client.payment(target.seller, resource_id))
    elif kind is Kind.CLAIM:
        document = parse_claim(await client.claim(target.seller, resource_id))
    else:
        raise RemoteNotFound(f"cannot resolve a {kind} to orders")
    return list(linked_order_ids(document))
