"""The one fetch-and-map path: live notifications, re-syncs, backfills and replays all end here.

`sync_order` fetches an order and exactly the related documents the fetch plan asks for, maps them with the
pure mapping, and stores subscriber, order object and events (insert-or-ignore, so running it twice adds
nothing). `orders_for` turns a notified shipment, payment or claim into the order ids to sync.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import NotOwned, RemoteNotFound
from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping import MappingOptions, MappingResult, OrderBundle, map_order
from connectors.mercadolibre.mapping.fetch_plan import linked_order_ids
from connectors.mercadolibre.payloads import Claim, Order, parse_claim, parse_order, parse_payment
from worker.jobs.related import Related, fetch_related
from worker.store.db import Database
from worker.store.documents import RawDocument, save_documents_in
from worker.store.events import EventRecord, append_events_in
from worker.store.profiles import order_references_for_shipment, upsert_order_object_in, upsert_subscriber_in
from worker.store.refetch import record_gap


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
    gaps: dict[str, list[str]] = field(default_factory=dict)  # order id → what to fetch again later, and why
    foreign: int = 0  # documents skipped because they named another seller

    @property
    def events_added(self) -> int:
        return sum(self.new_events.values())

    def add(self, other: SyncReport) -> None:
        self.orders += other.orders
        self.new_events.update(other.new_events)
        self.problems += other.problems
        self.gaps.update(other.gaps)
        self.foreign += other.foreign


@dataclass(frozen=True)
class Known:
    """Documents the caller already holds, so the path skips their GETs: the order as an orders search page
    returned it (same document as `GET /orders/{id}`), and its claims from a claims search by seller (`claims`
    gives, for the parsed order, the answer `claims_of_order` would). None = fetch it. `extra_claims` join
    whatever the search finds."""

    order: Any = None
    claims: Callable[[Order], Any] | None = None
    extra_claims: tuple[Any, ...] = ()  # a notified claim (raw) that is on the order's shipment or payment


def bundle_from_raw(raw_order: Any, related: Related, extra_claims: Sequence[Claim] = ()) -> OrderBundle:
    claims = related.claims
    if extra_claims:
        listed = {claim.id for claim in claims or ()}
        claims = (*(claims or ()), *(claim for claim in extra_claims if claim.id not in listed))
    return OrderBundle(
        parse_order(raw_order), related.shipment, related.history, related.payments, claims, raw=raw_order
    )


@dataclass(frozen=True)
class Fetched:
    """One order's mapping, the raw documents behind it, and what is missing or incomplete (fetch it again)."""

    result: MappingResult
    documents: list[RawDocument]
    missing: list[str]  # related documents that could not be read now
    skipped: list[str]  # documents that named another seller

    @property
    def gaps(self) -> list[str]:
        """What to fetch again later, and why: unreadable documents, and what the mapping found unknown."""
        return [*self.missing, *self.result.pending]


async def fetch_and_map(
    client: MlClient, seller: Seller, order_id: str, options: MappingOptions, known: Known | None = None
) -> Fetched:
    """Raises NotOwned when the order is not this seller's sale (its documents are not even kept)."""
    known = known or Known()
    raw = known.order if known.order is not None else await client.order(seller, order_id)
    order = parse_order(raw)
    if order.seller_id is not None and order.seller_id != str(seller.seller_id):
        raise NotOwned(f"order {order.id} is a sale of seller {order.seller_id}, not of seller {seller.seller_id}")
    related = await fetch_related(client, seller, order, known.claims)
    extra = [parse_claim(claim) for claim in known.extra_claims]
    bundle = bundle_from_raw(raw, related, extra)
    result = map_order(bundle, options)
    pairs = zip(extra, known.extra_claims, strict=True)
    kept = [RawDocument("claim", claim.id, document, order_id) for claim, document in pairs]
    documents = [RawDocument("order", order_id, raw, order_id), *related.raw, *kept]
    return Fetched(result, documents, related.missing, related.skipped)


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
    fetched = await fetch_and_map(client, target.seller, order_id, options, known)
    result = fetched.result
    added = await store_result(
        db, target.business_id, result, origin, historical_before, (target.seller.account_id, fetched.documents)
    )
    if fetched.gaps:
        await record_gap(db, target.seller.account_id, order_id, fetched.gaps)
    gaps = {order_id: fetched.gaps} if fetched.gaps else {}
    notes = [f"order {order_id}: {note}" for note in (*fetched.missing, *fetched.skipped)]
    return SyncReport(1, added, [*result.problems, *notes], gaps, len(fetched.skipped))


@dataclass(frozen=True)
class Resolved:
    """The orders a notified resource belongs to, and the notified claim when it is on a shipment or payment
    (an order's claims search may not list those, so the claim travels with the orders' sync)."""

    order_ids: list[str]
    claims: tuple[Any, ...] = ()  # raw claim documents
    order: Any = None  # the order document when it was read to resolve (a Global Selling order)

    def known(self) -> Known:
        return Known(order=self.order, extra_claims=self.claims)


async def orders_for(db: Database, client: MlClient, target: SyncTarget, kind: Kind, resource_id: str) -> Resolved:
    """The orders a notified resource belongs to (a pack's shipment belongs to several)."""
    if kind is Kind.ORDER:
        return Resolved([resource_id])
    if kind is Kind.MARKETPLACE_ORDER:
        return Resolved([resource_id], order=await client.marketplace_order(target.seller, resource_id))
    if kind is Kind.SHIPMENT:
        return Resolved(await _shipment_orders(db, client, target, resource_id))
    if kind is Kind.PAYMENT:
        return Resolved(list(linked_order_ids(parse_payment(await client.payment(target.seller, resource_id)))))
    if kind is Kind.CLAIM:
        raw = await client.claim(target.seller, resource_id)
        claim = parse_claim(raw)
        extra = () if claim.resource == "order" else (raw,)
        return Resolved(await _claim_orders(db, client, target, claim), extra)
    raise RemoteNotFound(f"cannot resolve a {kind} to orders")


async def _shipment_orders(db: Database, client: MlClient, target: SyncTarget, shipment_id: str) -> list[str]:
    known = await order_references_for_shipment(db, target.business_id, shipment_id)
    if known:
        return known
    items = await client.shipment_items(target.seller, shipment_id)
    found = {str(item["order_id"]) for item in items if isinstance(item, dict) and item.get("order_id")}
    return sorted(found)


async def _claim_orders(db: Database, client: MlClient, target: SyncTarget, claim: Claim) -> list[str]:
    """A claim is on an order, on a shipment (every order it carries) or on a payment (the payment's order)."""
    if claim.resource == "shipment" and claim.resource_id is not None:
        return await _shipment_orders(db, client, target, claim.resource_id)
    if claim.resource == "payment" and claim.resource_id is not None:
        payment = parse_payment(await client.payment(target.seller, claim.resource_id))
        return list(linked_order_ids(payment))
    return list(linked_order_ids(claim))
