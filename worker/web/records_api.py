"""What an event points to: `GET /api/v1/subscribers/{external_id}` (the buyer, by the
`subscriber_external_id` events carry) and `GET /api/v1/orders/{reference}` (the order's latest snapshot and all
its events, by the `order_reference` events carry). Another business's records look missing (404)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from worker.store.event_queries import (
    EventFilter,
    Position,
    order_by_reference,
    read_event_page,
    subscriber_by_external_id,
)
from worker.store.events import iso_z
from worker.store.models import OrderObject, SubscriberRow
from worker.web.api import _business, _error, json_errors
from worker.web.keys import DATABASE

ORDER_EVENTS = 1000  # an order has a handful of events; this only bounds the answer


def subscriber_json(row: SubscriberRow) -> dict[str, Any]:
    return {
        "external_id": row.external_id,
        "source": row.source,
        "nickname": row.nickname,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "phone": row.phone,
        "first_seen_at": iso_z(row.created_at),
        "updated_at": iso_z(row.updated_at),
    }


def order_json(order: OrderObject, subscriber: SubscriberRow | None) -> dict[str, Any]:
    def money(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "reference": order.reference,
        "source": order.source,
        "pack_id": order.pack_id,
        "status": order.status,
        "currency": order.currency,
        "total_amount": money(order.total_amount),
        "paid_amount": money(order.paid_amount),
        "items": order.items,
        "shipment_id": order.shipment_id,
        "subscriber_external_id": subscriber.external_id if subscriber else None,
        "created_at": iso_z(order.source_created_at) if order.source_created_at else None,
        "changed_at": iso_z(order.source_updated_at) if order.source_updated_at else None,
        "fetched_at": iso_z(order.updated_at),
    }


@json_errors
async def show_subscriber(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[DATABASE]
    row = await subscriber_by_external_id(db, business.id, request.match_info["external_id"])
    if row is None:
        return _error(404, "not_found", "no such subscriber for this business")
    return web.json_response(subscriber_json(row))


@json_errors
async def show_order(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[DATABASE]
    reference = request.match_info["reference"]
    found = await order_by_reference(db, business.id, reference)
    if found is None:
        return _error(404, "not_found", "no such order for this business")
    events, _ = await read_event_page(db, business.id, EventFilter(order=reference), Position(), ORDER_EVENTS, True)
    body = order_json(*found) | {"events": [event.to_json() for event in events]}
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_get(r"/api/v1/subscribers/{external_id:[0-9]{1,19}}", show_subscriber)
    app.router.add_get(r"/api/v1/orders/{reference:[0-9]{1,19}}", show_order)
