"""The ML REST API: users, orders, shipments, payments and claims by id, plus route registration.

Access rule (our pick, documented for the worker): a resource of another user answers **403**
(`{"error": "forbidden"}`), an unknown id **404**, a non-numeric id **400**, no/dead token **401**.
A seller sees its own orders, shipments, payments (`collector`) and claims (`respondent`); a buyer token
would see its own side. `GET /users/{id}` is public (a bad token is still a 401). Claims endpoints use the
claims API's error codes (`forbidden_error`, `business_logic_error`). `/orders/{id}/shipments` is not
served: docs/mercadolibre-api.md §3 notes it is announced to end and its order is undocumented (use
`order.shipping.id`).
`/marketplace/orders/{id}`, `/marketplace/shipments/{id}` and `/marketplace/claims/{id}` (the resources of
Global Selling notifications, GS) answer the same documents as `/orders/{id}`, `/shipments/{id}` and
`/post-purchase/v1/claims/{id}`.
`/collections/{id}` answers Mercado Pago's `/v1/payments/{id}` document (see render_payment.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from sandboxes.mercadolibre.api_claims import search_claims
from sandboxes.mercadolibre.api_feeds import get_missed_feeds
from sandboxes.mercadolibre.api_search import search_orders
from sandboxes.mercadolibre.errors import MLError, forbidden, int_param, not_found
from sandboxes.mercadolibre.middleware import optional_user, require_user
from sandboxes.mercadolibre.model_claim import Claim
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.render import dumps, order_bytes
from sandboxes.mercadolibre.render_claims import claim_bytes, return_bytes
from sandboxes.mercadolibre.render_docs import history_doc, items_doc, shipment_bytes, user_doc
from sandboxes.mercadolibre.render_payment import payment_bytes
from sandboxes.mercadolibre.state import SANDBOX
from sandboxes.mercadolibre.tokens_api import post_token

JSON = "application/json"


def json_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type=JSON, charset="utf-8")


def _id(request: web.Request, what: str) -> int:
    return int_param(request.match_info["id"], f"{what} id")


async def get_me(request: web.Request) -> web.Response:
    user = request.app[SANDBOX].world.users[require_user(request)]
    if user.cache is None:
        user.cache = dumps(user_doc(user, private=True))
    return json_response(user.cache)


async def get_user(request: web.Request) -> web.Response:
    optional_user(request)
    user_id = _id(request, "user")
    user = request.app[SANDBOX].world.users.get(user_id)
    if user is None:
        raise not_found(f"User {user_id} not found")
    if user.public_cache is None:
        user.public_cache = dumps(user_doc(user, private=False))
    return json_response(user.public_cache)


async def get_order(request: web.Request) -> web.Response:
    caller = require_user(request)
    order_id = _id(request, "order")
    world = request.app[SANDBOX].world
    order = world.orders.get(order_id)
    if order is None:
        raise not_found(f"Order {order_id} not found")
    if caller not in (order.seller_id, order.buyer_id):
        raise forbidden()
    return json_response(order_bytes(world, order))


def _shipment(request: web.Request) -> Shipment:
    caller = require_user(request)
    shipment_id = _id(request, "shipment")
    shipment = request.app[SANDBOX].world.shipments.get(shipment_id)
    if shipment is None:
        raise not_found(f"Shipment {shipment_id} not found")
    if caller not in (shipment.seller_id, shipment.receiver_id):
        raise forbidden()
    return shipment


async def get_shipment(request: web.Request) -> web.Response:
    shipment = _shipment(request)
    new_format = request.headers.get("x-format-new", "").lower() == "true"
    return json_response(shipment_bytes(request.app[SANDBOX].world, shipment, new_format))


async def get_shipment_history(request: web.Request) -> web.Response:
    return json_response(dumps(history_doc(_shipment(request))))


async def get_shipment_items(request: web.Request) -> web.Response:
    shipment = _shipment(request)
    return json_response(dumps(items_doc(request.app[SANDBOX].world, shipment)))


async def get_payment(request: web.Request) -> web.Response:
    caller = require_user(request)
    payment_id = _id(request, "payment")
    world = request.app[SANDBOX].world
    payment = world.payments.get(payment_id)
    if payment is None:
        raise not_found(f"Payment {payment_id} not found")
    if caller not in (payment.collector_id, payment.payer_id):
        raise forbidden()
    return json_response(payment_bytes(world, payment))


def _claim(request: web.Request) -> Claim:
    caller = require_user(request)
    claim_id = _id(request, "claim")
    claim = request.app[SANDBOX].world.claims.get(claim_id)
    if claim is None:
        raise MLError(404, "business_logic_error", "Resource not found")
    if caller not in (claim.seller_id, claim.buyer_id):
        raise MLError(403, "forbidden_error", "You don't have permission to access the resource")
    return claim


async def get_claim(request: web.Request) -> web.Response:
    return json_response(claim_bytes(_claim(request)))


async def get_claim_returns(request: web.Request) -> web.Response:
    """The return of a claim (`related_entities` lists "return"); a claim without one answers 404."""
    claim = _claim(request)
    if claim.return_ is None:
        raise MLError(404, "not_found", f"Return not found for claim {claim.id}")
    return json_response(return_bytes(request.app[SANDBOX].world, claim, claim.return_))


Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]
ROUTES: tuple[Route, ...] = (
    ("POST", "/oauth/token", post_token),
    ("GET", "/users/me", get_me),
    ("GET", "/users/{id}", get_user),
    ("GET", "/orders/search", search_orders),
    ("GET", "/orders/{id}", get_order),
    ("GET", "/marketplace/orders/{id}", get_order),
    ("GET", "/shipments/{id}", get_shipment),
    ("GET", "/marketplace/shipments/{id}", get_shipment),
    ("GET", "/shipments/{id}/history", get_shipment_history),
    ("GET", "/shipments/{id}/items", get_shipment_items),
    ("GET", "/collections/{id}", get_payment),
    ("GET", "/v1/payments/{id}", get_payment),
    ("GET", "/post-purchase/v1/claims/search", search_claims),
    ("GET", "/post-purchase/v1/claims/{id}", get_claim),
    ("GET", "/marketplace/claims/{id}", get_claim),
    ("GET", "/post-purchase/v2/claims/{id}/returns", get_claim_returns),
    ("GET", "/missed_feeds", get_missed_feeds),
)


def add_api_routes(router: web.UrlDispatcher) -> None:
    for method, path, handler in ROUTES:
        router.add_route(method, path, handler)
