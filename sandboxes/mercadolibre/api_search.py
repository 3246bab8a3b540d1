"""`GET /orders/search` and `GET /post-purchase/v1/claims/search`.

Orders: `seller` is required and must be the token's user (else 403); filters
`order.date_created.from/.to`, `order.date_last_updated.from/.to`, `order.date_closed.from/.to`,
`order.status` (comma-separated), `q` (order id, pack id or item id); `sort=date_asc|date_desc` (by
creation); `limit` 1..50 (default 50); `offset` 0..`search_offset_cap` (default 10000), beyond -> 400.
Cancelled orders are listed like any other unless `search_hide_cancelled` is set (docs/mercadolibre-api.md §3: seller
searches skip them by default; that `order.status=cancelled` brings them back is unconfirmed). The 12-month retention
is not modelled.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from aiohttp import web
from multidict import MultiMapping

from sandboxes.mercadolibre.clock import BadInstant, parse_instant
from sandboxes.mercadolibre.errors import bad_request, forbidden, int_param
from sandboxes.mercadolibre.middleware import require_user
from sandboxes.mercadolibre.model import Order
from sandboxes.mercadolibre.render import dumps, order_bytes
from sandboxes.mercadolibre.state import SANDBOX

ORDER_STATUSES = frozenset(
    {
        "confirmed", "payment_required", "payment_in_process", "partially_paid", "paid",
        "partially_refunded", "pending_cancel", "cancelled", "invalid",
    }
)  # fmt: skip
MAX_LIMIT = 50
SORTS = {"date_asc": "Date ascending", "date_desc": "Date descending"}


def paging(query: MultiMapping[str], default_limit: int, max_limit: int, max_offset: int) -> tuple[int, int]:
    offset = int_param(query.get("offset", "0"), "offset")
    limit = int_param(query.get("limit", str(default_limit)), "limit")
    if offset < 0:
        raise bad_request("offset must be a non-negative integer")
    if offset > max_offset:
        raise bad_request(f"offset must be lower than or equal to {max_offset}")
    if not 1 <= limit <= max_limit:
        raise bad_request(f"limit must be between 1 and {max_limit}")
    return offset, limit


def _range(query: MultiMapping[str], field: str) -> tuple[int | None, int | None]:
    bounds: list[int | None] = []
    for end in ("from", "to"):
        text = query.get(f"order.{field}.{end}")
        try:
            bounds.append(None if text is None else parse_instant(text))
        except BadInstant as exc:
            raise bad_request(f"invalid order.{field}.{end}: {exc}") from None
    return bounds[0], bounds[1]


def _within(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _filters(query: MultiMapping[str], hide_cancelled: bool) -> list[Callable[[Order], bool]]:
    checks: list[Callable[[Order], bool]] = []
    statuses = query.get("order.status")
    if statuses is not None:
        wanted = frozenset(s.strip() for s in statuses.split(","))
        if not wanted <= ORDER_STATUSES:
            raise bad_request(f"invalid order.status: {statuses}")
        checks.append(lambda o: o.status in wanted)
    elif hide_cancelled:
        checks.append(lambda o: o.status != "cancelled")
    updated = _range(query, "date_last_updated")
    if updated != (None, None):
        checks.append(lambda o: _within(o.updated_ms, *updated))
    closed = _range(query, "date_closed")
    if closed != (None, None):
        checks.append(lambda o: _within(o.closed_ms, *closed))
    text = query.get("q")
    if text:
        checks.append(lambda o: text in (str(o.id), str(o.pack_id)) or any(ln.item.id == text for ln in o.lines))
    return checks


def _candidates(orders: list[Order], created: list[int], query: MultiMapping[str]) -> list[Order]:
    low, high = _range(query, "date_created")
    start = 0 if low is None else bisect.bisect_left(created, low)
    stop = len(created) if high is None else bisect.bisect_right(created, high)
    return orders[start:stop]


def _select(rows: Iterable[Order], checks: list[Callable[[Order], bool]]) -> list[Order]:
    if not checks:
        return list(rows)
    return [o for o in rows if all(check(o) for check in checks)]


async def search_orders(request: web.Request) -> web.Response:
    caller = require_user(request)
    sandbox, query = request.app[SANDBOX], request.query
    seller_text = query.get("seller")
    if not seller_text:
        raise bad_request("seller or buyer param is required")
    if int_param(seller_text, "seller") != caller:
        raise forbidden("caller.id does not match the seller param")
    sort = query.get("sort", "date_asc")
    if sort not in SORTS:
        raise bad_request(f"invalid sort: {sort}")
    offset, limit = paging(query, MAX_LIMIT, MAX_LIMIT, sandbox.config.search_offset_cap)
    world = sandbox.world
    rows = _candidates(world.seller_orders[caller], world.seller_created[caller], query)
    rows = _select(rows, _filters(query, sandbox.config.search_hide_cancelled))
    if sort == "date_desc":
        rows.reverse()
    page = rows[offset : offset + limit]
    head = {
        "query": query.get("q"),
        "display": "complete",
        "paging": {"total": len(rows), "offset": offset, "limit": limit},
        "sort": {"id": sort, "name": SORTS[sort]},
        "available_sorts": [{"id": k, "name": v} for k, v in SORTS.items() if k != sort],
        "filters": [],
    }
    body = dumps(head)[:-1] + b',"results":[' + b",".join(order_bytes(world, o) for o in page) + b"]}"
    return web.Response(body=body, content_type="application/json", charset="utf-8")
