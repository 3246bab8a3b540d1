"""REST API by id: the exact documents of a hand-built order, shipment, payment and claim."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.api_scenario import (
    CLAIM,
    ORDER,
    PAYMENT,
    REFUND,
    SHIPMENT,
    shipped_order_with_claim,
    t,
)
from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER, transition

ORDER_PAYMENT = {
    "id": PAYMENT,
    "order_id": ORDER,
    "payer_id": FIRST_BUYER,
    "currency_id": "ARS",
    "status": "approved",
    "status_detail": "partially_refunded",
    "transaction_amount": 3001.0,
    "transaction_amount_refunded": 100.0,
    "shipping_cost": 500.0,
    "total_paid_amount": 3501.0,
    "coupon_amount": 0,
    "overpaid_amount": 0,
    "taxes_amount": 0,
    "installments": 1,
    "payment_method_id": "visa",
    "operation_type": "regular_payment",
    "reason": "Mate",
    "site_id": "MLA",
    "date_created": t(1),
    "date_approved": t(2),
    "date_last_modified": t(5),
}
ITEM: dict[str, Any] = {
    "id": "MLA1400000024",
    "title": "Mate",
    "category_id": "MLA1051",
    "variation_id": None,
    "seller_custom_field": None,
    "seller_sku": "SKU-1400000024",
    "variation_attributes": [],
    "warranty": "Garantía del vendedor: 30 días",
    "condition": "new",
}
EXPECTED_ORDER = {
    "id": ORDER,
    "status": "paid",
    "status_detail": None,
    "date_created": t(1),
    "date_closed": t(2),
    "last_updated": t(6),
    "date_last_updated": t(6),
    "expiration_date": "2026-03-30T09:01:00.000-03:00",
    "order_items": [
        {
            "item": ITEM,
            "quantity": 2,
            "unit_price": 1500.5,
            "full_unit_price": 1500.5,
            "currency_id": "ARS",
            "sale_fee": 195.06,
            "listing_type_id": "gold_special",
        }
    ],
    "total_amount": 3001.0,
    "paid_amount": 3501.0,
    "currency_id": "ARS",
    "buyer": {"id": FIRST_BUYER, "nickname": "ANATORR0"},
    "seller": {"id": SELLER},
    "payments": [{**ORDER_PAYMENT, "collector": {"id": SELLER}, "payment_type": "credit_card"}],
    "shipping": {"id": SHIPMENT},
    "pack_id": None,
    "tags": ["paid", "not_delivered"],
    "cancel_detail": None,
    "mediations": [{"id": CLAIM}],
    "feedback": {"purchase": None, "sale": None},
    "context": {"channel": "marketplace", "site": "MLA", "flows": []},
    "coupon": {"id": None, "amount": 0},
    "fulfilled": None,
    "comment": None,
    "taxes": {"amount": None, "currency_id": None, "id": None},
}


async def test_get_order(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(f"/orders/{ORDER}", headers=headers)

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.json() == EXPECTED_ORDER


async def test_shipment_new_format_has_no_order_id_nor_status_history(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(f"/shipments/{SHIPMENT}", headers={**headers, "x-format-new": "true"})

    assert await response.json() == {
        "id": SHIPMENT,
        "status": "shipped",
        "substatus": None,
        "date_created": t(1),
        "last_updated": t(4),
        "tracking_number": f"MEL{SHIPMENT}ARG",
        "tracking_method": "MEL Distribution",
        "declared_value": 3001.0,
        "logistic": {"mode": "me2", "type": "drop_off", "direction": "forward"},
        "source": {"site_id": "MLA", "market_place": "MELI", "customer_id": None, "application_id": None},
        "origin": {"type": "selling_address", "sender_id": SELLER},
        "destination": {
            "receiver_id": FIRST_BUYER,
            "receiver_name": None,
            "shipping_address": {"country": {"id": "AR"}, "city": {"name": None}},
        },
        "lead_time": {"cost": 500.0, "currency_id": "ARS"},
        "dimensions": None,
        "tags": [],
        "sibling": None,
        "external_reference": None,
    }


async def test_shipment_legacy_format_has_order_id_and_status_history(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    body = await (await client.get(f"/shipments/{SHIPMENT}", headers=headers)).json()

    assert body["order_id"] == ORDER
    assert body["status_history"] == {
        "date_handling": t(2),
        "date_ready_to_ship": t(3),
        "date_shipped": t(4),
        "date_delivered": None,
        "date_not_delivered": None,
        "date_cancelled": None,
    }


async def test_shipment_history_and_items(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    history = await (await client.get(f"/shipments/{SHIPMENT}/history", headers=headers)).json()
    items = await (await client.get(f"/shipments/{SHIPMENT}/items", headers=headers)).json()

    assert history == [
        {"status": "pending", "substatus": None, "date": t(1)},
        {"status": "handling", "substatus": None, "date": t(2)},
        {"status": "ready_to_ship", "substatus": "ready_to_print", "date": t(3)},
        {"status": "shipped", "substatus": None, "date": t(4)},
    ]
    assert items == [
        {
            "item_id": "MLA1400000024",
            "description": "Mate",
            "quantity": 2,
            "variation_id": None,
            "order_id": ORDER,
            "dimensions": None,
        }
    ]


EXPECTED_PAYMENT = {
    **ORDER_PAYMENT,
    "date_last_updated": t(5),
    "money_release_date": None,
    "payment_type_id": "credit_card",
    "collector_id": SELLER,
    "payer": {"id": FIRST_BUYER, "type": "customer"},
    "description": "Mate",
    "order": {"id": ORDER, "type": "mercadolibre"},
    "external_reference": str(ORDER),
    "transaction_details": {
        "total_paid_amount": 3501.0,
        "net_received_amount": 3401.0,
        "overpaid_amount": 0,
        "installment_amount": 3501.0,
    },
    "refunds": [
        {
            "id": REFUND,
            "payment_id": PAYMENT,
            "amount": 100.0,
            "source": {"id": "sandbox", "name": "Mercado Libre", "type": "collector"},
            "date_created": t(5),
            "unique_sequence_number": None,
            "refund_mode": "standard",
            "status": "approved",
        }
    ],
    "tags": [],
    "live_mode": False,
}


@pytest.mark.parametrize("path", [f"/collections/{PAYMENT}", f"/v1/payments/{PAYMENT}"])
async def test_get_payment(client: TestClient[Any, Any], path: str) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(path, headers=headers)

    assert (response.status, await response.json()) == (200, EXPECTED_PAYMENT)


async def test_get_claim(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    body = await (await client.get(f"/post-purchase/v1/claims/{CLAIM}", headers=headers)).json()

    assert body == {
        "id": CLAIM,
        "resource_id": ORDER,
        "status": "opened",
        "type": "mediations",
        "stage": "claim",
        "parent_id": None,
        "resource": "order",
        "reason_id": "PDD9939",
        "fulfilled": True,
        "quantity_type": "total",
        "claimed_quantity": 1,
        "players": [
            {"role": "complainant", "type": "buyer", "user_id": FIRST_BUYER, "available_actions": []},
            {
                "role": "respondent",
                "type": "seller",
                "user_id": SELLER,
                "available_actions": [{"action": "refund", "mandatory": False, "due_date": None}],
            },
        ],
        "resolution": None,
        "site_id": "MLA",
        "date_created": t(6),
        "last_updated": t(6),
        "related_entities": [],
        "claim_version": 1.0,
    }


async def test_closed_claim_has_a_resolution(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)
    await transition(client, ORDER, "close_claim", reason="partial_refunded", amount="300")

    body = await (await client.get(f"/post-purchase/v1/claims/{CLAIM}", headers=headers)).json()

    assert (body["status"], body["stage"]) == ("closed", "none")
    assert body["resolution"] == {
        "reason": "partial_refunded",
        "date_created": t(7),
        "benefited": ["complainant"],
        "closed_by": "respondent",
        "applied_coverage": False,
    }
