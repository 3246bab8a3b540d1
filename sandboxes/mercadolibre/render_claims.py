"""Claims (`GET /post-purchase/v1/claims/{id}`, CLAIM; claim_v1_doc_es_order_closed_refunded.json) and
returns (`GET /post-purchase/v2/claims/{id}/returns`, RET; return_v2_doc_es.json), as ML renders them.

Returns are dated in UTC with `+00:00`, and carry quantities and the claim id as strings, as the example
does; claims keep the site's offset.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandboxes.mercadolibre.clock import EPOCH
from sandboxes.mercadolibre.model_claim import MEDIATOR_ID, PLAYER_TYPES, Claim, Return
from sandboxes.mercadolibre.render import dumps, when
from sandboxes.mercadolibre.world import World


def claim_bytes(claim: Claim) -> bytes:
    if claim.cache is None:
        claim.cache = dumps(claim_doc(claim))
    return claim.cache


def _players(c: Claim) -> list[dict[str, Any]]:
    complainant, respondent = PLAYER_TYPES[c.resource]
    if c.status == "closed":
        actions: list[dict[str, Any]] = []
    elif c.stage == "dispute":
        actions = [{"action": "send_message_to_mediator", "mandatory": False, "due_date": None}]
    else:
        actions = [{"action": "refund", "mandatory": False, "due_date": None}]
    players = [
        {"role": "complainant", "type": complainant, "user_id": c.buyer_id, "available_actions": []},
        {"role": "respondent", "type": respondent, "user_id": c.seller_id, "available_actions": actions},
    ]
    if c.disputed:
        players.append({"role": "mediator", "type": "internal", "user_id": MEDIATOR_ID, "available_actions": []})
    return players


def claim_doc(c: Claim) -> dict[str, Any]:
    res = c.resolution
    return {
        "id": c.id,
        "resource_id": c.resource_id,
        "status": c.status,
        "type": c.type,
        "stage": c.stage,
        "parent_id": None,
        "resource": c.resource,
        "reason_id": c.reason_id,
        "fulfilled": True,
        "quantity_type": "total",
        "claimed_quantity": 1,
        "players": _players(c),
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
        "related_entities": ["return"] if c.return_ is not None else [],
        "claim_version": 1.0,
    }


def utc_offset(ms: int | None) -> str | None:
    """`2024-09-10T17:26:41.704+00:00`, the returns API's way of writing UTC."""
    if ms is None:
        return None
    value = EPOCH + timedelta(milliseconds=ms)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}+00:00"


def return_bytes(world: World, claim: Claim, ret: Return) -> bytes:
    if claim.return_cache is None:
        claim.return_cache = dumps(return_doc(world, ret))
    return claim.return_cache


def return_doc(world: World, r: Return) -> dict[str, Any]:
    order = world.orders[r.order_id]
    line = order.lines[0]
    quantity = f"{sum(ln.quantity for ln in order.lines):.1f}"
    return {
        "id": r.id,
        "claim_id": r.claim_id,
        "resource_type": "order",
        "resource_id": r.order_id,
        "status": r.status,
        "status_money": r.status_money,
        "subtype": "return_total",
        "refund_at": "delivered",
        "shipments": [
            {
                "shipment_id": r.shipment.id,
                "status": r.shipment.status,
                "tracking_number": None,
                "destination": {"name": "seller_address"},
                "type": "return",
            }
        ],
        "orders": [
            {
                "order_id": r.order_id,
                "item_id": line.item.id,
                "variation_id": line.item.variation_id,
                "context_type": "total",
                "total_quantity": quantity,
                "return_quantity": quantity,
            }
        ],
        "related_entities": [],
        "intermediate_check": False,
        "resources": [{"resource": "claim", "resource_id": str(r.claim_id)}],
        "date_created": utc_offset(r.created_ms),
        "last_updated": utc_offset(r.updated_ms),
        "date_closed": utc_offset(r.closed_ms),
    }
