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

from connectors.events import Origin
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.mapping import MappingOptions, MappingResult, OrderBundle, map_order
from connectors.mercadolibre.payloads import Claim, Order, parse_claim, parse_order
from worker.errors import NotOwned
from worker.pipeline.related import Related, fetch_related
from worker.store.db import Database
from worker.store.documents import RawDocument
from worker.store.refetch import record_gap
from worker.store.synced import OrderWrite, write_orders


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


def notified_claims_only(order: Order) -> Any:
    """`Known.claims` of a live sync: no claims search per order. Claims come with their own notifications
    (topic `claims`: the claim travels as `extra_claims` of the orders it concerns), and the scheduled re-sync
    lists the seller's claims changed lately (worker/backfill/resync.py), so a lost claims notification is
    still caught; the search would cost one more ML call for nearly every notified order."""
    return {"data": []}


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


def order_write(
    fetched: Fetched, origin: Origin, historical_before: datetime | None = None, documents: bool = True
) -> OrderWrite:
    """What to store of one synced order (its raw documents too, unless `documents` is False)."""
    result = fetched.result
    kept = fetched.documents if documents else ()
    return OrderWrite(result.subscriber, result.order, result.events, origin.value, kept, historical_before)


async def store_result(
    db: Database,
    business_id: int,
    result: MappingResult,
    origin: Origin,
    historical_before: datetime | None = None,
    documents: tuple[int, Sequence[RawDocument]] | None = None,
) -> Counter[str]:
    """Store one mapping's subscriber, order object and events (and `documents`: the account's raw documents
    behind them) in one transaction. `historical_before`: events tracked before it get `properties.historical`."""
    account_id, raw = documents if documents is not None else (0, ())
    write = OrderWrite(result.subscriber, result.order, result.events, origin.value, raw, historical_before)
    (added,) = await write_orders(db, business_id, account_id, [write])
    return added


def report_of(order_id: str, fetched: Fetched, added: Counter[str]) -> SyncReport:
    gaps = {order_id: fetched.gaps} if fetched.gaps else {}
    notes = [f"order {order_id}: {note}" for note in (*fetched.missing, *fetched.skipped)]
    return SyncReport(1, added, [*fetched.result.problems, *notes], gaps, len(fetched.skipped))


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
    """Fetch, map and store one order (and record its gap when a document was missing)."""
    fetched = await fetch_and_map(client, target.seller, order_id, options, known)
    write = order_write(fetched, origin, historical_before)
    (added,) = await write_orders(db, target.business_id, target.seller.account_id, [write])
    if fetched.gaps:
        await record_gap(db, target.seller.account_id, order_id, fetched.gaps)
    return report_of(order_id, fetched, added)
