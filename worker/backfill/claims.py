"""A seller's claims, fetched with a few claims searches by seller and date instead of one search per order.

Mapping a confirmed order needs its claims (`refund.requested`). The live path asks
`/post-purchase/v1/claims/search?order_id=` for each order; bulk work over thousands of orders instead lists
the seller's claims once (`players.role=respondent`, a `range` on `date_created` or `last_updated`, 100 per
page) and hands each order the answer `claims_of_order` would have given: the claims on that order, or an
empty list. Claims are kept as compact JSON so the index stays small however many orders there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from connectors.errors import PermanentError
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.payloads import Order, load_json, plain_json
from worker.backfill.windows import ONE_MS, Span, ml_time, to_ms
from worker.logs import get_logger

log = get_logger(__name__)
CLAIMS_SEARCH: Final = "/post-purchase/v1/claims/search"
CLAIMS_PAGE: Final = 100
CLAIMS_MAX_OFFSET: Final = 9999
SHORTEST: Final = timedelta(seconds=2)


RESOURCES: Final = ("order", "shipment", "payment")


@dataclass
class ClaimsIndex:
    """A seller's claims over a known period (claims outside it are not listed), by the resource they are on:
    an order, a shipment or a payment."""

    by_resource: dict[tuple[str, str], list[bytes]] = field(default_factory=lambda: defaultdict(list))
    claims: int = 0

    def add(self, claim: Any) -> None:
        if isinstance(claim, dict) and claim.get("resource") in RESOURCES and claim.get("resource_id") is not None:
            compact = json.dumps(plain_json(claim), separators=(",", ":")).encode()
            self.by_resource[(claim["resource"], str(claim["resource_id"]))].append(compact)
            self.claims += 1

    def for_order(self, order: Order) -> dict[str, Any]:
        """The claims on the order, its shipment and its payments, shaped as a claims search answer."""
        keys = [("order", order.id), *(("payment", payment.id) for payment in order.payments)]
        if order.shipment_id is not None:
            keys.append(("shipment", order.shipment_id))
        found = [load_json(raw) for key in keys for raw in self.by_resource.get(key, ())]
        return {"paging": {"total": len(found), "offset": 0, "limit": CLAIMS_PAGE}, "data": found}

    def resources(self, resource: str) -> list[str]:
        """Ids of the orders, shipments or payments the listed claims are on."""
        return sorted(ref for kind, ref in self.by_resource if kind == resource)


def _params(seller: Seller, span: Span, field_name: str, offset: int) -> dict[str, str]:
    return {
        "players.role": "respondent",
        "players.user_id": str(seller.seller_id),
        "range": f"{field_name}:after:{ml_time(span.start)},before:{ml_time(span.end)}",
        "sort": f"{field_name}:asc",
        "offset": str(offset),
        "limit": str(CLAIMS_PAGE),
    }


async def _walk(client: MlClient, seller: Seller, span: Span, field_name: str, index: ClaimsIndex) -> None:
    offset = 0
    while True:
        page = await client.get(seller, CLAIMS_SEARCH, _params(seller, span, field_name, offset))
        total = int(page.get("paging", {}).get("total", 0))
        if offset == 0 and total > CLAIMS_MAX_OFFSET + CLAIMS_PAGE and span.end - span.start > SHORTEST:
            middle = to_ms(span.start + (span.end - span.start) / 2)  # `before` is inclusive: halves must not touch
            await _walk(client, seller, Span(span.start, middle - ONE_MS), field_name, index)
            await _walk(client, seller, Span(middle, span.end), field_name, index)
            return
        data = page.get("data") or []
        for claim in data:
            index.add(claim)
        offset += len(data)
        if not data or offset >= total or offset > CLAIMS_MAX_OFFSET:
            return


async def load_claims(
    client: MlClient, seller: Seller, since: datetime, until: datetime, field_name: str = "date_created"
) -> ClaimsIndex | None:
    """The seller's claims with `field_name` in [since, until]; None when ML refuses the search (the orders
    then ask for their own claims, as the live path does)."""
    index = ClaimsIndex()
    try:
        await _walk(client, seller, Span(since, until), field_name, index)
    except PermanentError as error:
        log.warning("ml.backfill.claims_search_refused", seller_id=seller.seller_id, error=str(error))
        return None
    return index
