"""Orders as ML renders them (`GET /orders/{id}`; keys as the examples of ML's "Gerenciar orders" and
"Gestión de packs" pages, tests/fixtures/mercadolibre/order_*.json), cached as bytes per revision, plus the
helpers every renderer shares. Payments are in `render_payment.py`.

Money is rendered as a JSON number (ML sends `15999.0`); the Decimal always has at most two decimals,
so the text reads back exactly. Times carry the site's UTC offset.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sandboxes.mercadolibre.clock import DAY, iso_local
from sandboxes.mercadolibre.model import Order, Payment
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.world import World

CENT = Decimal("0.01")
SALE_FEE = Decimal("0.13")  # the marketplace's share the sandbox charges on a payment (marketplace_fee, MP fees)


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def money(value: Decimal) -> float:
    return float(value)


def when(ms: int | None, site_id: str) -> str | None:
    return None if ms is None else iso_local(ms, SITES[site_id].utc_offset_minutes)


def order_bytes(world: World, order: Order) -> bytes:
    if order.cache is None:
        order.cache = dumps(order_doc(world, order))
    return order.cache


def _party(world: World, user_id: int) -> dict[str, Any]:
    """Buyer or seller as the order shows them (PACK example: no restrictions, type or status given)."""
    user = world.users[user_id]
    return {
        "id": user.id,
        "nickname": user.nickname,
        "user_type": None,
        "tags": [],
        "status": None,
        "buy_restrictions": [],
    }


def _buyer(world: World, buyer_id: int) -> dict[str, Any]:
    buyer = world.users[buyer_id]
    doc = _party(world, buyer_id)
    if buyer.first_name is not None:
        doc["first_name"], doc["last_name"] = buyer.first_name, buyer.last_name
    if buyer.email is not None:
        doc["email"] = buyer.email
    if buyer.phone is not None:
        area, number = buyer.phone.split(" ", 1)
        doc["phone"] = {"area_code": area, "number": number, "extension": "", "verified": False}
    return doc


def _order_line(order: Order, index: int) -> dict[str, Any]:
    line = order.lines[index]
    return {
        "item": {
            "id": line.item.id,
            "title": line.item.title,
            "category_id": f"{order.site_id}1051",
            "variation_id": line.item.variation_id,
            "seller_custom_field": None,
            "seller_sku": line.item.sku,
            "variation_attributes": [],
            "warranty": "Garantía del vendedor: 30 días",
            "condition": "new",
            "global_price": None,
            "net_weight": None,
            "release_date": None,
        },
        "quantity": line.quantity,
        "requested_quantity": {"value": line.quantity, "measure": "unit"},
        "picked_quantity": None,
        "unit_price": money(line.unit_price),
        "full_unit_price": money(line.unit_price),
        "currency_id": order.currency_id,
        "manufacturing_days": None,
        "sale_fee": money(line.sale_fee),
        "listing_type_id": "gold_special",
        "base_exchange_rate": None,
        "base_currency_id": None,
        "element_id": index + 1,
    }


def order_payment(p: Payment) -> dict[str, Any]:
    """A payment as the order embeds it (ML's projection of the Mercado Pago payment)."""
    return {
        "id": p.id,
        "order_id": p.order_id,
        "payer_id": p.payer_id,
        "collector": {"id": p.collector_id},
        "card_id": None,
        "site_id": p.site_id,
        "reason": p.reason,
        "payment_method_id": p.method,
        "currency_id": p.currency_id,
        "installments": p.installments,
        "issuer_id": None,
        "atm_transfer_reference": {"company_id": None, "transaction_id": None},
        "coupon_id": None,
        "activation_uri": None,
        "operation_type": "regular_payment",
        "payment_type": p.payment_type,
        "available_actions": ["refund"] if p.status == "approved" else [],
        "status": p.status,
        "status_code": None,
        "status_detail": p.status_detail,
        "transaction_amount": money(p.transaction_amount),
        "transaction_amount_refunded": money(p.refunded),
        "taxes_amount": 0,
        "shipping_cost": money(p.shipping_cost),
        "coupon_amount": 0,
        "overpaid_amount": 0,
        "total_paid_amount": money(p.total_paid_amount),
        "installment_amount": money((p.total_paid_amount / p.installments).quantize(CENT)),
        "deferred_period": None,
        "date_approved": when(p.approved_ms, p.site_id),
        "authorization_code": None,
        "transaction_order_id": None,
        "date_created": when(p.created_ms, p.site_id),
        "date_last_modified": when(p.modified_ms, p.site_id),
        "marketplace_fee": money((p.transaction_amount * SALE_FEE).quantize(CENT)),
        "reference_id": None,
    }


def _cancel_detail(order: Order) -> dict[str, Any] | None:
    cancel = order.cancel_detail
    if cancel is None:
        return None
    return {
        "group": cancel.group,
        "code": cancel.code,
        "description": cancel.description,
        "requested_by": cancel.requested_by,
        "date": when(cancel.date_ms, order.site_id),
        "application_id": None,
    }


def order_doc(world: World, order: Order) -> dict[str, Any]:
    site = order.site_id
    payments = [world.payments[pid] for pid in order.payment_ids]
    paid = sum((p.total_paid_amount for p in payments if p.approved_ms is not None), Decimal(0))
    return {
        "id": order.id,
        "status": order.status,
        "status_detail": None,
        "date_created": when(order.created_ms, site),
        "date_closed": when(order.closed_ms, site),
        "last_updated": when(order.updated_ms, site),
        "date_last_updated": when(order.updated_ms, site),
        "expiration_date": when(order.created_ms + 28 * DAY, site),
        "manufacturing_ending_date": None,
        "buying_mode": "buy_equals_pay",
        "order_items": [_order_line(order, i) for i in range(len(order.lines))],
        "total_amount": money(order.total_amount),
        "paid_amount": money(paid),
        "shipping_cost": money(sum((p.shipping_cost for p in payments if p.order_id == order.id), Decimal(0))),
        "currency_id": order.currency_id,
        "buyer": _buyer(world, order.buyer_id),
        "seller": _party(world, order.seller_id),
        "payments": [order_payment(p) for p in payments],
        "shipping": {"id": order.shipment_id},
        "pack_id": order.pack_id,
        "pickup_id": None,
        "tags": list(order.tags),
        "cancel_detail": _cancel_detail(order),
        "mediations": [{"id": claim_id} for claim_id in order.claim_ids],
        "order_request": {"return": None, "change": None},
        "feedback": {"purchase": None, "sale": None},
        "context": {"channel": "marketplace", "site": site, "flows": []},
        "coupon": {"id": None, "amount": 0},
        "fulfilled": None,
        "comment": None,
        "comments": None,
        "taxes": {"amount": None, "currency_id": None, "id": None},
    }
