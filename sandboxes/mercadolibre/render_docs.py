"""Shipments (new and legacy format), shipment history/items, claims and users, as ML renders them."""

from __future__ import annotations

from typing import Any

from sandboxes.mercadolibre.model import Claim, Shipment, User
from sandboxes.mercadolibre.render import dumps, money, when
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.world import World

COUNTRY_CODES = {"AR": "ARG", "BR": "BRA", "MX": "MEX", "CO": "COL", "UY": "URY", "CL": "CHL"}


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


def shipment_new(world: World, s: Shipment) -> dict[str, Any]:
    """`x-format-new: true`: no `order_id`, no `status_history`."""
    receiver = world.users[s.receiver_id]
    paid = any(world.orders[oid].closed_ms is not None for oid in s.order_ids)
    destination: dict[str, Any] = {"receiver_id": s.receiver_id}
    if paid:
        destination["receiver_name"] = f"{receiver.first_name or ''} {receiver.last_name or ''}".strip() or None
        destination["shipping_address"] = {"country": {"id": SITES[s.site_id].country_id}, "city": {"name": None}}
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
        "lead_time": {"cost": money(s.shipping_cost), "currency_id": SITES[s.site_id].currency_id},
        "dimensions": None,
        "tags": [],
        "sibling": None,
        "external_reference": None,
    }


def shipment_legacy(world: World, s: Shipment) -> dict[str, Any]:
    """The format without `x-format-new`: has `order_id` and `status_history` {date_<status>}."""
    first: dict[str, int] = {}
    for entry in s.history:
        first.setdefault(entry.status, entry.date_ms)
    history = {
        f"date_{status}": when(first.get(status), s.site_id)
        for status in ("handling", "ready_to_ship", "shipped", "delivered", "not_delivered", "cancelled")
    }
    return {
        "id": s.id,
        "order_id": s.order_ids[0],
        "status": s.status,
        "substatus": s.substatus,
        "status_history": history,
        "date_created": when(s.created_ms, s.site_id),
        "last_updated": when(s.updated_ms, s.site_id),
        "tracking_number": _tracking(s),
        "tracking_method": "MEL Distribution",
        "mode": "me2",
        "logistic_type": s.logistic_type,
        "site_id": s.site_id,
        "sender_id": s.seller_id,
        "receiver_id": s.receiver_id,
        "order_cost": money(s.declared_value),
        "shipping_option": {
            "cost": money(s.shipping_cost),
            "currency_id": SITES[s.site_id].currency_id,
            "name": "Normal a domicilio",
        },
    }


def history_doc(s: Shipment) -> list[dict[str, Any]]:
    return [{"status": e.status, "substatus": e.substatus, "date": when(e.date_ms, s.site_id)} for e in s.history]


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
                    "dimensions": None,
                }
            )
    return rows


def claim_bytes(claim: Claim) -> bytes:
    if claim.cache is None:
        claim.cache = dumps(claim_doc(claim))
    return claim.cache


def claim_doc(c: Claim) -> dict[str, Any]:
    res = c.resolution
    seller_actions = [] if c.status == "closed" else [{"action": "refund", "mandatory": False, "due_date": None}]
    return {
        "id": c.id,
        "resource_id": c.order_id,
        "status": c.status,
        "type": c.type,
        "stage": c.stage,
        "parent_id": None,
        "resource": "order",
        "reason_id": c.reason_id,
        "fulfilled": True,
        "quantity_type": "total",
        "claimed_quantity": 1,
        "players": [
            {"role": "complainant", "type": "buyer", "user_id": c.buyer_id, "available_actions": []},
            {"role": "respondent", "type": "seller", "user_id": c.seller_id, "available_actions": seller_actions},
        ],
        "resolution": None
        if res is None
        else {
            "reason": res.reason,
            "date_created": when(res.date_ms, c.site_id),
            "benefited": [res.benefited],
            "closed_by": res.closed_by,
            "applied_coverage": False,
        },
        "site_id": c.site_id,
        "date_created": when(c.created_ms, c.site_id),
        "last_updated": when(c.updated_ms, c.site_id),
        "related_entities": [],
        "claim_version": 1.0,
    }


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
