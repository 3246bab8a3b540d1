"""Shipments (new and legacy format), shipment history and items, and users, as ML renders them.

Shapes follow SHIP (https://developers.mercadolibre.com.ve/es_ar/envios) and the captures in
tests/fixtures/mercadolibre/shipment_*.json. `GET /shipments/{id}/history` dates are UTC with `Z` and newest
first, as the page's example (shipment_history_doc_es.json); every other document keeps the site's offset.
A fulfillment shipment's history comes in no particular order (ML's warehouse feeds it; FINDINGS (d)): the
sandbox shuffles it with the shipment id as seed, so it is stable between calls and runs.
"""

from __future__ import annotations

import random
from typing import Any, Final

from sandboxes.mercadolibre.clock import iso_utc
from sandboxes.mercadolibre.model import User
from sandboxes.mercadolibre.model_shipment import Shipment
from sandboxes.mercadolibre.render import dumps, money, when
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.world import World

COUNTRY_CODES: Final = {"AR": "ARG", "BR": "BRA", "MX": "MEX", "CO": "COL", "UY": "URY", "CL": "CHL"}
LEGACY_DATES: Final = (
    ("date_handling", "handling", None), ("date_ready_to_ship", "ready_to_ship", None),
    ("date_shipped", "shipped", None), ("date_delivered", "delivered", None),
    ("date_not_delivered", "not_delivered", None), ("date_returned", "not_delivered", "returned"),
    ("date_cancelled", "cancelled", None),
)  # fmt: skip


def shipment_bytes(world: World, shipment: Shipment, new_format: bool) -> bytes:
    if new_format:
        if shipment.cache_new is None:
            shipment.cache_new = dumps(shipment_new(world, shipment))
        return shipment.cache_new
    if shipment.cache_legacy is None:
        shipment.cache_legacy = dumps(shipment_legacy(world, shipment))
    return shipment.cache_legacy


def _tracking(shipment: Shipment) -> str | None:
    if shipment.status in ("pending", "handling", "cancelled"):
        return None
    return f"MEL{shipment.id}{COUNTRY_CODES[SITES[shipment.site_id].country_id]}"


def _dimensions(s: Shipment) -> dict[str, int]:
    return {"height": 8 + s.id % 30, "width": 12 + s.id % 25, "length": 18 + s.id % 35, "weight": 250 + s.id % 4000}


def _sibling(s: Shipment) -> dict[str, Any]:
    """Always the node, as SHIP's schema shows it: every field null unless a pack split created the shipment."""
    sib = s.sibling
    if sib is None:
        return dict.fromkeys(("reason", "sibling_id", "description", "source", "date_created", "last_updated"))
    at = when(sib.date_ms, s.site_id)
    return {
        "reason": sib.reason,
        "sibling_id": sib.sibling_id,
        "description": sib.description,
        "source": sib.source,
        "date_created": at,
        "last_updated": at,
    }


def _lead_time(s: Shipment) -> dict[str, Any]:
    return {
        "cost": money(s.shipping_cost),
        "list_cost": money(s.shipping_cost),
        "cost_type": "charged" if s.shipping_cost else "free",
        "currency_id": SITES[s.site_id].currency_id,
        "delivery_type": "estimated",
    }


def shipment_new(world: World, s: Shipment) -> dict[str, Any]:
    """`x-format-new: true`: no `order_id`, no `status_history`; the buyer's address once paid."""
    receiver = world.users[s.receiver_id]
    site = SITES[s.site_id]
    paid = any(world.orders[oid].closed_ms is not None for oid in s.order_ids)
    destination: dict[str, Any] = {"receiver_id": s.receiver_id, "comments": None}
    if paid:
        destination["receiver_name"] = f"{receiver.first_name or ''} {receiver.last_name or ''}".strip() or None
        destination["shipping_address"] = {"country": {"id": site.country_id, "name": site.country}}
    return {
        "id": s.id,
        "status": s.status,
        "substatus": s.substatus,
        "date_created": when(s.created_ms, s.site_id),
        "last_updated": when(s.updated_ms, s.site_id),
        "tracking_number": _tracking(s),
        "tracking_method": "MEL Distribution",
        "declared_value": money(s.declared_value),
        "logistic": {"mode": "me2", "type": s.logistic_type, "direction": "forward"},
        "source": {"site_id": s.site_id, "market_place": "MELI", "customer_id": None, "application_id": None},
        "origin": {"type": "selling_address", "sender_id": s.seller_id},
        "destination": destination,
        "lead_time": _lead_time(s),
        "dimensions": _dimensions(s),
        "items_types": ["new"],
        "tags": list(s.tags),
        "sibling": _sibling(s),
        "quotation": None,
        "external_reference": None,
    }


def _status_history(s: Shipment) -> dict[str, str | None]:
    dates = {key: when(s.first(status, sub), s.site_id) for key, status, sub in LEGACY_DATES}
    visits = [ms for ms in (s.first("shipped", "receiver_absent"), s.first("delivered")) if ms is not None]
    dates["date_first_visit"] = when(min(visits), s.site_id) if visits else None
    return dates


def shipment_legacy(world: World, s: Shipment) -> dict[str, Any]:
    """The format without `x-format-new`: has `order_id`, `status_history` {date_<status>} and
    `substatus_history`, like the capture shipment_legacy_capture_ecomplus_drop_off.json."""
    return {
        "id": s.id,
        "order_id": s.order_ids[0],
        "pack_id": world.orders[s.order_ids[0]].pack_id,
        "status": s.status,
        "substatus": s.substatus,
        "status_history": _status_history(s),
        "substatus_history": [
            {"status": e.status, "substatus": e.substatus, "date": when(e.date_ms, s.site_id)}
            for e in s.history
            if e.substatus is not None
        ],
        "date_created": when(s.created_ms, s.site_id),
        "last_updated": when(s.updated_ms, s.site_id),
        "date_first_printed": when(s.first("ready_to_ship", "printed"), s.site_id),
        "tracking_number": _tracking(s),
        "tracking_method": "MEL Distribution",
        "mode": "me2",
        "type": "forward",
        "created_by": "receiver",
        "logistic_type": s.logistic_type,
        "site_id": s.site_id,
        "market_place": "MELI",
        "sender_id": s.seller_id,
        "receiver_id": s.receiver_id,
        "order_cost": money(s.declared_value),
        "base_cost": money(s.shipping_cost),
        "shipping_option": _shipping_option(s),
        "shipping_items": _shipping_items(world, s),
        "tags": list(s.tags),
        "comments": None,
        "carrier_info": None,
        "return_details": None,
        "return_tracking_number": None,
        "application_id": None,
    }


def _shipping_option(s: Shipment) -> dict[str, Any]:
    return {
        "name": "Normal a domicilio",
        "cost": money(s.shipping_cost),
        "list_cost": money(s.shipping_cost),
        "currency_id": SITES[s.site_id].currency_id,
        "delivery_type": "estimated",
    }


def _shipping_items(world: World, s: Shipment) -> list[dict[str, Any]]:
    lines = (line for oid in s.order_ids for line in world.orders[oid].lines)
    return [
        {"id": ln.item.id, "description": ln.item.title, "quantity": ln.quantity, "sender_id": s.seller_id}
        for ln in lines
    ]


def history_doc(s: Shipment) -> list[dict[str, Any]]:
    rows = [{"status": e.status, "substatus": e.substatus, "date": iso_utc(e.date_ms)} for e in reversed(s.history)]
    if s.logistic_type == "fulfillment":
        random.Random(s.id).shuffle(rows)
    return rows


def items_doc(world: World, s: Shipment) -> list[dict[str, Any]]:
    rows = []
    for order_id in s.order_ids:
        for line in world.orders[order_id].lines:
            rows.append(
                {
                    "item_id": line.item.id,
                    "description": line.item.title,
                    "quantity": line.quantity,
                    "variation_id": line.item.variation_id,
                    "order_id": order_id,
                    "sender_id": s.seller_id,
                    "dimensions": _dimensions(s),
                }
            )
    return rows


def user_doc(user: User, private: bool) -> dict[str, Any]:
    """`/users/me` (private: names, email, phone) or the public profile `/users/{id}`."""
    site = SITES[user.site_id]
    doc: dict[str, Any] = {
        "id": user.id,
        "nickname": user.nickname,
        "registration_date": when(user.registration_ms, user.site_id),
        "country_id": site.country_id,
        "address": {"city": None, "state": None},
        "user_type": "normal",
        "tags": ["normal", "test_user"] if user.is_seller else ["normal"],
        "site_id": user.site_id,
        "permalink": f"http://{site.profile_host}/{user.nickname}",
        "seller_reputation": {"level_id": None, "power_seller_status": None, "transactions": {"total": 0}},
        "status": {"site_status": "active"},
    }
    if private:
        doc.update({"first_name": user.first_name, "last_name": user.last_name, "email": user.email})
        area, number = (user.phone or " ").split(" ", 1)
        doc["phone"] = {"area_code": area or None, "number": number or None, "extension": "", "verified": False}
    return doc
