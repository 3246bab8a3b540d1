"""`GET /post-purchase/v1/claims/search`, with the filters and limits of docs/mercadolibre-api.md §5.

At least one real filter is required (else 400 `invalid_query`); `resource`+`resource_id` and
`players.role`+`players.user_id` go together; `order_id` and `pack_id` exclude each other; `range` is
`date_created|last_updated:after:<ts>,before:<ts>`. `offset` <= 9999, `limit` 1..100 (default 30),
`sort=id|date_created|last_updated:asc|desc` (default `id:asc`). Only claims the caller takes part in
are listed. Response: `{"paging": {"total", "offset", "limit"}, "data": [claims]}`.

`order_id=X` lists the claims whose resource is that order (`resource: order`, `resource_id: X`): a claim
on the order's shipment or payment is not "of the order" for this filter. Those are found with
`resource=shipment|payment&resource_id=...`, `payment_id=...`, or the seller's own filter
`players.role=respondent&players.user_id=...`, which lists every claim of the seller. CLAIM lists the
filters but does not say how `order_id` treats claims on other resources; this is the narrow reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from aiohttp import web
from multidict import MultiMapping

from sandboxes.mercadolibre.clock import BadInstant, parse_instant
from sandboxes.mercadolibre.errors import MLError
from sandboxes.mercadolibre.middleware import require_user
from sandboxes.mercadolibre.model_claim import Claim
from sandboxes.mercadolibre.render import dumps
from sandboxes.mercadolibre.render_claims import claim_bytes
from sandboxes.mercadolibre.state import SANDBOX

Check = Callable[[Claim], bool]
RESOURCES: Final = frozenset({"order", "shipment", "payment", "purchase"})
TEXT_FIELDS: Final[dict[str, Callable[[Claim], object]]] = {
    "type": lambda c: c.type,
    "stage": lambda c: c.stage,
    "status": lambda c: c.status,
    "reason_id": lambda c: c.reason_id,
    "site_id": lambda c: c.site_id,
}
ID_FIELDS: Final[dict[str, Callable[[Claim], int | None]]] = {
    "id": lambda c: c.id,
    "order_id": lambda c: c.resource_id if c.resource == "order" else None,
    "pack_id": lambda c: c.pack_id,
    "payment_id": lambda c: c.payment_id,
    "parent_id": lambda c: None,
}
SORT_KEYS: Final[dict[str, Callable[[Claim], int]]] = {
    "id": lambda c: c.id,
    "date_created": lambda c: c.created_ms,
    "last_updated": lambda c: c.updated_ms,
}


def invalid_query(message: str) -> MLError:
    return MLError(400, "invalid_query", message)


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise invalid_query(f"invalid {name}: {text!r}") from None


def _pairs(query: MultiMapping[str]) -> list[Check]:
    checks: list[Check] = []
    resource, resource_id = query.get("resource"), query.get("resource_id")
    if (resource is None) != (resource_id is None):
        raise invalid_query("resource and resource_id must be sent together")
    if resource is not None and resource_id is not None:
        if resource not in RESOURCES:
            raise invalid_query(f"invalid resource: {resource}")
        rid = _int(resource_id, "resource_id")
        checks.append(lambda c: c.resource == resource and c.resource_id == rid)
    role, user = query.get("players.role"), query.get("players.user_id")
    if (role is None) != (user is None):
        raise invalid_query("players.role and players.user_id must be sent together")
    if role is not None and user is not None:
        if role not in ("complainant", "respondent"):
            raise invalid_query(f"invalid players.role: {role}")
        uid = _int(user, "players.user_id")
        checks.append(lambda c: (c.buyer_id if role == "complainant" else c.seller_id) == uid)
    if "order_id" in query and "pack_id" in query:
        raise invalid_query("order_id and pack_id are mutually exclusive")
    return checks


def _range(text: str) -> Check:
    field, _, rest = text.partition(":")
    if field not in ("date_created", "last_updated") or not rest:
        raise invalid_query(f"invalid range: {text}")
    bounds: dict[str, int] = {}
    for part in rest.split(","):
        name, _, value = part.partition(":")
        if name not in ("after", "before"):
            raise invalid_query(f"invalid range: {text}")
        try:
            bounds[name] = parse_instant(value)
        except BadInstant:
            raise invalid_query(f"invalid range date: {value}") from None
    low, high = bounds.get("after"), bounds.get("before")
    key = SORT_KEYS[field]
    return lambda c: (low is None or key(c) >= low) and (high is None or key(c) <= high)


def _checks(query: MultiMapping[str]) -> list[Check]:
    checks = _pairs(query)
    for name, get in TEXT_FIELDS.items():
        if name in query:
            wanted = frozenset(query[name].split(","))
            checks.append(lambda c, get=get, wanted=wanted: get(c) in wanted)  # type: ignore[misc]
    for name, get_id in ID_FIELDS.items():
        if name in query:
            value = _int(query[name], name)
            checks.append(lambda c, get_id=get_id, value=value: get_id(c) == value)  # type: ignore[misc]
    if "range" in query:
        checks.append(_range(query["range"]))
    if not checks:
        raise invalid_query("at least one filter is required")
    return checks


def _page(query: MultiMapping[str]) -> tuple[int, int, str, bool]:
    offset, limit = _int(query.get("offset", "0"), "offset"), _int(query.get("limit", "30"), "limit")
    if not 0 <= offset <= 9999:
        raise invalid_query("offset must be between 0 and 9999")
    if not 1 <= limit <= 100:
        raise invalid_query("limit must be between 1 and 100")
    field, _, direction = query.get("sort", "id:asc").partition(":")
    if field not in SORT_KEYS or direction not in ("asc", "desc"):
        raise invalid_query(f"invalid sort: {query.get('sort')}")
    return offset, limit, field, direction == "desc"


async def search_claims(request: web.Request) -> web.Response:
    caller = require_user(request)
    query = request.query
    checks = _checks(query)
    offset, limit, field, descending = _page(query)
    world = request.app[SANDBOX].world
    pool = world.seller_claims.get(caller)
    if pool is None:
        pool = [c for c in world.claims.values() if c.buyer_id == caller]
    rows = [c for c in pool if all(check(c) for check in checks)]
    rows.sort(key=SORT_KEYS[field], reverse=descending)
    page = rows[offset : offset + limit]
    head = dumps({"paging": {"total": len(rows), "offset": offset, "limit": limit}})[:-1]
    body = head + b',"data":[' + b",".join(claim_bytes(c) for c in page) + b"]}"
    return web.Response(body=body, content_type="application/json", charset="utf-8")
