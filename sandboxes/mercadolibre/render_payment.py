"""Payments as Mercado Pago's `GET /v1/payments/{id}` renders them (the shape of the ML-documented example,
tests/fixtures/mercadolibre/payment_mp_v1_ml_doc_manejo_de_pagos_fragment.json, from
https://developers.mercadolibre.com.gt/es_ar/manejo-de-pagos, and of the captures beside it).

`/collections/{id}` answers the same document: no public capture of that ML resource exists, and MP's field
map (https://mercadopago.com.ar/developers/en/docs/your-integrations/notifications/ipn-deprecated-collections)
says `/v1/payments` replaced it. `order {id, type: "mercadolibre"}` names the order the payment was made for
(as a string, like the example), also after a pack split hands the payment on to a new order.
"""

from __future__ import annotations

from typing import Any, Final

from sandboxes.mercadolibre.clock import DAY
from sandboxes.mercadolibre.model import Payment, Refund
from sandboxes.mercadolibre.render import CENT, SALE_FEE, dumps, money, when
from sandboxes.mercadolibre.world import World

RELEASE_DAYS: Final = 14  # money released to the seller this long after approval


def payment_bytes(world: World, payment: Payment) -> bytes:
    if payment.cache is None:
        payment.cache = dumps(payment_doc(world, payment))
    return payment.cache


def _refund_doc(world: World, r: Refund, p: Payment) -> dict[str, Any]:
    """An entry of `refunds[]`, as MP's refund object (FINDINGS (c)); `source` is the collector."""
    return {
        "id": r.id,
        "payment_id": r.payment_id,
        "amount": money(r.amount),
        "adjustment_amount": 0,
        "status": r.status,
        "refund_mode": "standard",
        "date_created": when(r.created_ms, p.site_id),
        "reason": None,
        "unique_sequence_number": None,
        "source": {"id": str(p.collector_id), "name": world.users[p.collector_id].nickname, "type": "collector"},
        "labels": [],
        "metadata": {"status_detail": None},
        "partition_details": [],
        "funder": None,
        "additional_data": None,
        "alternative_refund_mode": None,
        "amount_refunded_to_payer": money(r.amount) if r.status == "approved" else None,
        "e2e_id": None,
        "expiration_date": None,
    }


def _payer(world: World, p: Payment) -> dict[str, Any]:
    buyer = world.users[p.payer_id]
    return {
        "id": str(p.payer_id),
        "type": None,
        "email": buyer.email or f"test_user_{buyer.id}@testuser.com",  # MP always knows the payer's e-mail
        "first_name": buyer.first_name,
        "last_name": buyer.last_name,
        "entity_type": None,
        "operator_id": None,
    }


# Keys the documented payments show as null, rendered as such (the sandbox has nothing to put there).
NULL_KEYS: Final = (
    "date_of_expiration", "money_release_schema", "issuer_id", "sponsor_id", "authorization_code",
    "statement_descriptor", "notification_url", "differential_pricing_id", "deduction_schema", "counter_currency",
    "call_for_authorize_id", "merchant_account_id", "merchant_number", "store_id", "accounts_info", "acquirer",
    "brand_id", "corporation_id", "financing_group", "integrator_id", "marketplace_owner", "platform_id", "pos_id",
)  # fmt: skip


def _amounts(p: Payment) -> dict[str, Any]:
    fee = (p.transaction_amount * SALE_FEE).quantize(CENT)
    return {
        "transaction_amount": money(p.transaction_amount),
        "transaction_amount_refunded": money(p.refunded),
        "coupon_amount": 0,
        "taxes_amount": 0,
        "shipping_amount": money(p.shipping_cost),
        "installments": p.installments,
        "transaction_details": {
            "total_paid_amount": money(p.total_paid_amount),
            "net_received_amount": money(p.total_paid_amount - fee),
            "overpaid_amount": 0,
            "installment_amount": money((p.total_paid_amount / p.installments).quantize(CENT)),
            "acquirer_reference": None,
            "external_resource_url": None,
            "financial_institution": None,
            "payable_deferral_period": None,
            "payment_method_reference_id": None,
        },
        "fee_details": [{"amount": money(fee), "fee_payer": "collector", "type": "application_fee"}],
    }


def payment_doc(world: World, p: Payment) -> dict[str, Any]:
    release = None if p.approved_ms is None else when(p.approved_ms + RELEASE_DAYS * DAY, p.site_id)
    return {
        "id": p.id,
        "date_created": when(p.created_ms, p.site_id),
        "date_approved": when(p.approved_ms, p.site_id),
        "date_last_updated": when(p.modified_ms, p.site_id),
        "money_release_date": release,
        "operation_type": "regular_payment",
        "payment_method_id": p.method,
        "payment_type_id": p.payment_type,
        "status": p.status,
        "status_detail": p.status_detail,
        "currency_id": p.currency_id,
        "description": p.reason,
        "live_mode": False,
        "collector_id": p.collector_id,
        "collector": {"id": p.collector_id},
        "payer_id": p.payer_id,
        "payer": _payer(world, p),
        "metadata": {},
        "order": {"id": str(p.order_id), "type": "mercadolibre"},
        "external_reference": str(p.order_id),
        **_amounts(p),
        "refunds": [_refund_doc(world, r, p) for r in p.refunds],
        "tags": list(p.tags),
        "captured": True,
        "binary_mode": False,
        "card": {},
        "processing_mode": "aggregator",
        "acquirer_reconciliation": [],
        **dict.fromkeys(NULL_KEYS),
    }
