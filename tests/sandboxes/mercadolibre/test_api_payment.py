"""The Mercado Pago payment document of the hand-built order (`/v1/payments/{id}`, also `/collections/{id}`),
exactly: MP's keys (tests/fixtures/mercadolibre/payment_mp_v1_*.json), `order.id` as a string."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.api_scenario import ORDER, PAYMENT, REFUND, shipped_order_with_claim, t
from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER

MP_NULLS = (
    "date_of_expiration", "money_release_schema", "issuer_id", "sponsor_id", "authorization_code",
    "statement_descriptor", "notification_url", "differential_pricing_id", "deduction_schema", "counter_currency",
    "call_for_authorize_id", "merchant_account_id", "merchant_number", "store_id", "accounts_info", "acquirer",
    "brand_id", "corporation_id", "financing_group", "integrator_id", "marketplace_owner", "platform_id", "pos_id",
)  # fmt: skip
EXPECTED_PAYMENT: dict[str, Any] = {
    "id": PAYMENT,
    "date_created": t(1),
    "date_approved": t(2),
    "date_last_updated": t(5),
    "money_release_date": "2026-03-16T09:02:00.000-03:00",
    "operation_type": "regular_payment",
    "payment_method_id": "visa",
    "payment_type_id": "credit_card",
    "status": "approved",
    "status_detail": "partially_refunded",
    "currency_id": "ARS",
    "description": "Mate",
    "live_mode": False,
    "collector_id": SELLER,
    "collector": {"id": SELLER},
    "payer_id": FIRST_BUYER,
    "payer": {
        "id": str(FIRST_BUYER),
        "type": None,
        "email": f"test_user_{FIRST_BUYER}@testuser.com",
        "first_name": None,
        "last_name": None,
        "entity_type": None,
        "operator_id": None,
    },
    "metadata": {},
    "order": {"id": str(ORDER), "type": "mercadolibre"},
    "external_reference": str(ORDER),
    "transaction_amount": 3001.0,
    "transaction_amount_refunded": 100.0,
    "coupon_amount": 0,
    "taxes_amount": 0,
    "shipping_amount": 500.0,
    "installments": 1,
    "transaction_details": {
        "total_paid_amount": 3501.0,
        "net_received_amount": 3110.87,  # 3501 - the 13 % fee on 3001
        "overpaid_amount": 0,
        "installment_amount": 3501.0,
        "acquirer_reference": None,
        "external_resource_url": None,
        "financial_institution": None,
        "payable_deferral_period": None,
        "payment_method_reference_id": None,
    },
    "fee_details": [{"amount": 390.13, "fee_payer": "collector", "type": "application_fee"}],
    "refunds": [
        {
            "id": REFUND,
            "payment_id": PAYMENT,
            "amount": 100.0,
            "adjustment_amount": 0,
            "status": "approved",
            "refund_mode": "standard",
            "date_created": t(5),
            "reason": None,
            "unique_sequence_number": None,
            "source": {"id": str(SELLER), "name": "MEGASTOREMLA01", "type": "collector"},
            "labels": [],
            "metadata": {"status_detail": None},
            "partition_details": [],
            "funder": None,
            "additional_data": None,
            "alternative_refund_mode": None,
            "amount_refunded_to_payer": 100.0,
            "e2e_id": None,
            "expiration_date": None,
        }
    ],
    "tags": [],
    "captured": True,
    "binary_mode": False,
    "card": {},
    "processing_mode": "aggregator",
    "acquirer_reconciliation": [],
    **dict.fromkeys(MP_NULLS),
}


@pytest.mark.parametrize("path", [f"/collections/{PAYMENT}", f"/v1/payments/{PAYMENT}"])
async def test_get_payment(client: TestClient[Any, Any], path: str) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(path, headers=headers)

    assert (response.status, await response.json()) == (200, EXPECTED_PAYMENT)
