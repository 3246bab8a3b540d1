"""The Hellotext endpoints meli-events uses, answering as Hellotext's developer guides describe
(hellotext/help `_i18n/en/developers/`: custom-store-integration.md, orders-with-api.md, tracking-events.md,
troubleshoot-custom-integration.md). Request bodies are JSON; errors come as `{"errors": [{type, message,
parameter}]}`; 401 for a missing or unknown token.

Two list filters are this fake's assumption, not documented: `GET /v1/attribution/products` and
`GET /v1/attribution/orders` accept `reference` and `source` to find a record created by a request whose answer
was lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from sandboxes.hellotext.state import Account, HellotextState
from sandboxes.hellotext.valid import Invalid, check_event, flat_fields

STATE = web.AppKey("hellotext_state", HellotextState)


def _account(request: web.Request) -> Account:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    account = request.app[STATE].accounts.get(token) if token else None
    if account is None:
        raise _error(401, "unauthorized", "The authorization token is missing, invalid or revoked.")
    return account


def _error(status: int, kind: str, message: str, parameter: str | None = None) -> web.HTTPException:
    body = {"errors": [{"type": kind, "message": message, "parameter": parameter}]}
    return _http(status, body)


def _http(status: int, body: dict[str, Any]) -> web.HTTPException:
    error = web.HTTPException(text=json.dumps(body), content_type="application/json")
    error.set_status(status)
    return error


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read(), parse_float=Decimal)
    except ValueError:
        raise _error(400, "bad_request", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise _error(400, "bad_request", "The body must be a JSON object.")
    return body


def _page(records: list[dict[str, Any]], request: web.Request) -> list[dict[str, Any]]:
    """`limit` (default 25, at most 100) records after `starting_after`, in creation order."""
    try:
        limit = min(100, max(1, int(request.query.get("limit", "25"))))
    except ValueError:
        raise _error(400, "bad_request", "limit must be a number", "limit") from None
    after = request.query.get("starting_after")
    ids = [record["id"] for record in records]
    start = ids.index(after) + 1 if after in ids else 0
    return records[start : start + limit]


def _matching(records: dict[str, dict[str, Any]], request: web.Request) -> list[dict[str, Any]]:
    wanted = {key: request.query[key] for key in ("reference", "source") if key in request.query}
    return [record for record in records.values() if all(record.get(k) == v for k, v in wanted.items())]


async def list_profiles(request: web.Request) -> web.Response:
    return web.json_response(_page(list(_account(request).profiles.values()), request))


async def create_property(request: web.Request) -> web.Response:
    account, body = _account(request), await _body(request)
    if not isinstance(body.get("name"), str) or not body["name"]:
        raise _error(422, "blank", "name can't be blank", "name")
    record = {"id": request.app[STATE].new_id(), "name": body["name"], "kind": body.get("kind", "text"),
              "unique": bool(body.get("unique", False))}  # fmt: skip
    account.properties[record["id"]] = record
    return web.json_response(record)


async def list_properties(request: web.Request) -> web.Response:
    return web.json_response(list(_account(request).properties.values()))


async def create_profile(request: web.Request) -> web.Response:
    account, fields = _account(request), flat_fields(await _body(request))
    properties: dict[str, str] = {}
    for key, value in fields.items():
        if key.startswith("property_by_id[") and key.endswith("]"):
            property_id = key[len("property_by_id[") : -1]
            definition = account.properties.get(property_id)
            if definition is None:
                raise _error(422, "invalid", f"property {property_id} does not exist", key)
            taken = any(p["properties"].get(property_id) == str(value) for p in account.profiles.values())
            if definition["unique"] and taken:
                raise _error(422, "taken", "has already been taken", key)
            properties[property_id] = str(value)
    profile: dict[str, Any] = {
        "id": request.app[STATE].new_id(),
        "first_name": fields.get("first_name"),
        "last_name": fields.get("last_name"),
        "email": fields.get("email[primary]"),
        "phone": fields.get("phone[mobile]"),
        "subscribed": bool(fields.get("subscribed", False)),
        "properties": properties,
    }
    account.profiles[profile["id"]] = profile
    return web.json_response(profile)


async def create_product(request: web.Request) -> web.Response:
    account, body = _account(request), await _body(request)
    for name in ("name", "reference"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise _error(422, "blank", f"{name} can't be blank", name)
    product = {"id": request.app[STATE].new_id(), **{k: _plain(v) for k, v in body.items()}}
    account.products[product["id"]] = product
    return web.json_response(product)


async def list_products(request: web.Request) -> web.Response:
    return web.json_response(_matching(_account(request).products, request))


def _plain(value: Any) -> Any:
    """Decimals as text, so the oracle shows money exactly."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _product_id(account: Account, wanted: object) -> str | None:
    """Order items name a product by its Hellotext id, its reference or its SKU."""
    for product in account.products.values():
        if wanted in (product["id"], product.get("reference"), product.get("sku")):
            return str(product["id"])
    return None


async def create_order(request: web.Request) -> web.Response:
    account, body = _account(request), await _body(request)
    items, total = [], Decimal(0)
    for position, item in enumerate(body.get("items") or []):
        product = _product_id(account, item.get("product")) if isinstance(item, dict) else None
        if product is None:
            raise _error(422, "invalid", "product not found", f"items[{position}][product]")
        try:
            quantity, amount = int(item.get("quantity", 1)), Decimal(str(item["price"]["amount"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise _error(422, "invalid", "price is invalid", f"items[{position}][price]") from None
        items.append({"product": product, "quantity": quantity, "price": _plain(item["price"])})
        total += quantity * amount
    order = {"id": request.app[STATE].new_id(), **{k: _plain(v) for k, v in body.items() if k != "items"},
             "items": items, "total": str(total)}  # fmt: skip
    account.orders[order["id"]] = order
    return web.json_response(order)


async def get_order(request: web.Request) -> web.Response:
    order = _account(request).orders.get(request.match_info["id"])
    if order is None:
        raise _error(404, "not_found", "order not found")
    return web.json_response(order)


async def list_orders(request: web.Request) -> web.Response:
    return web.json_response(_matching(_account(request).orders, request))


async def track_event(request: web.Request) -> web.Response:
    account, body = _account(request), await _body(request)
    try:
        event = check_event(account, body)
    except Invalid as invalid:
        raise _error(invalid.status, invalid.kind, invalid.message, invalid.parameter) from None
    account.track_requests += 1
    if account.keeps(event):
        account.events.append({**event, "received_at": datetime.now(UTC).isoformat()})
    return web.json_response({"status": "received"})


def add_api_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/profiles", list_profiles)
    router.add_post("/v1/profiles", create_profile)
    router.add_get("/v1/properties", list_properties)
    router.add_post("/v1/properties", create_property)
    router.add_get("/v1/attribution/products", list_products)
    router.add_post("/v1/attribution/products", create_product)
    router.add_get("/v1/attribution/orders", list_orders)
    router.add_post("/v1/attribution/orders", create_order)
    router.add_get("/v1/attribution/orders/{id}", get_order)
    router.add_post("/v1/attribution/events", track_event)
