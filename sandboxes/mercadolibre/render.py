"""Orders and payments as ML renders them (keys as in API.md), cached as bytes per revision.

Money is rendered as a JSON number (ML sends `15999.0`); the Decimal always has at most two decimals,
so the text reads back exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sandboxes.mercadolibre.clock import DAY, iso_local
from sandboxes.mercadolibre.model import Order, Payment, Refund
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.world import World


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


def payment_bytes(world: World, payment: Payment) -> bytes:
    if payment.cache is None:
        payment.cache = dumps(payment_doc(payment))
    return payment.cache


def _buyer(world: World, buyer_id: int) -> dict[str, Any]:
    buyer = world.users[buyer_id]
    doc: dict[str, Any] = {"id": buyer.id, "nickname": buyer.nickname}
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
        },
        "quantity": line.quantity,
        "unit_price": money(line.unit_price),
        "full_unit_price": money(line.unit_price),
        "currency_id": order.currency_id,
        "sale_fee": money(line.sale_fee),
        "listing_type_id": "gold_special",
    }


def _order_payment(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id,
        "order_id": p.order_id,
        "payer_id": p.payer_id,
        "collector": {"id": p.collector_id},
        "currency_id": p.currency_id,
        "status": p.status,
        "status_detail": p.status_detail,
        "transaction_amount": money(p.transaction_amount),
        "transaction_amount_refunded": money(p.refunded),
        "shipping_cost": money(p.shipping_cost),
        "total_paid_amount": money(p.total_paid_amount),
        "coupon_amount": 0,
        "overpaid_amount": 0,
        "taxes_amount": 0,
        "installments": p.installments,
        "payment_method_id": p.method,
        "payment_type": "credit_card",
        "operation_type": "regular_payment",
        "reason": p.reason,
        "site_id": p.site_id,
        "date_created": when(p.created_ms, p.site_id),
        "date_approved": when(p.approved_ms, p.site_id),
        "date_last_modified": when(p.modified_ms, p.site_id),
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
        "order_items": [_order_line(order, i) for i in range(len(order.lines))],
        "total_amount": money(order.total_amount),
        "paid_amount": money(paid),
        "currency_id": order.currency_id,
        "buyer": _buyer(world, order.buyer_id),
        "seller": {"id": order.seller_id},
        "payments": [_order_payment(p) for p in payments],
        "shipping": {"id": order.shipment_id},
        "pack_id": order.pack_id,
        "tags": list(order.tags),
        "cancel_detail": _cancel_detail(order),
        "mediations": [{"id": claim_id} for claim_id in order.claim_ids],
        "feedback": {"purchase": None, "sale": None},
        "context": {"channel": "marketplace", "site": site, "flows": []},
        "coupon": {"id": None, "amount": 0},
        "fulfilled": None,
        "comment": None,
        "taxes": {"amount": None, "currency_id": None, "id": None},
    }


def _refund_doc(r: Refund, site_id: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "payment_id": r.payment_id,
        "amount": money(r.amount),
        "source": {"id": "sandbox", "name": "Mercado Libre", "type": "collector"},
        "date_created": when(r.created_ms, site_id),
        "unique_sequence_number": None,
        "refund_mode": "standard",
        "status": "approved",
    }


def payment_doc(p: Payment) -> dict[str, Any]:
    """A payment in Mercado Pago style (served by /collections/{id} and /v1/payments/{id})."""
    doc = _order_payment(p)
    del doc["collector"], doc["payment_type"]
    doc.update(
        {
            "date_last_updated": when(p.modified_ms, p.site_id),
            "money_release_date": None,
            "payment_type_id": "credit_card",
            "collector_id": p.collector_id,
            "payer": {"id": p.payer_id, "type": "customer"},
            "description": p.reason,
            "order": {"id": p.order_id, "type": "mercadolibre"},
            "external_reference": str(p.order_id),
            "transaction_details": {
                "total_paid_amount": money(p.total_paid_amount),
                "net_received_amount": money(p.total_paid_amount - p.refunded),
                "overpaid_amount": 0,
                "installment_amount": money((p.total_paid_amount / p.installments).quantize(Decimal("0.01"))),
            },
            "refunds": [_refund_doc(r, p.site_id) for r in p.refunds],
            "tags": list(p.tags),
            "live_mode": False,
        }
    )
    return doc
