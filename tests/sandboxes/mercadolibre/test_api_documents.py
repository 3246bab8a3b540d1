"""REST API by id: the exact documents of a hand-built order, shipment, payment and claim.

The order is `partially_refunded` (a partial refund was approved) and carries a pack of its own; its payment's
Mercado Pago document is in test_api_payment.py."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.api_scenario import (
    CLAIM,
    ORDER,
    PACK,
    PAYMENT,
    SHIPMENT,
    shipped_order_with_claim,
    t,
)
from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER, transition

ORDER_PAYMENT = {
    "id": PAYMENT,
    "order_id": ORDER,
    "payer_id": FIRST_BUYER,
    "collector": {"id": SELLER},
    "card_id": None,
    "site_id": "MLA",
    "reason": "Mate",
    "payment_method_id": "visa",
    "currency_id": "ARS",
    "installments": 1,
    "issuer_id": None,
    "atm_transfer_reference": {"company_id": None, "transaction_id": None},
    "coupon_id": None,
    "activation_uri": None,
    "operation_type": "regular_payment",
    "payment_type": "credit_card",
    "available_actions": ["refund"],
    "status": "approved",
    "status_code": None,
    "status_detail": "partially_refunded",
    "transaction_amount": 3001.0,
    "transaction_amount_refunded": 100.0,
    "taxes_amount": 0,
    "shipping_cost": 500.0,
    "coupon_amount": 0,
    "overpaid_amount": 0,
    "total_paid_amount": 3501.0,
    "installment_amount": 3501.0,
    "deferred_period": None,
    "date_approved": t(2),
    "authorization_code": None,
    "transaction_order_id": None,
    "date_created": t(1),
    "date_last_modified": t(5),
    "marketplace_fee": 390.13,  # the sandbox's 13 % on 3001.00
    "reference_id": None,
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
    "global_price": None,
    "net_weight": None,
    "release_date": None,
}
PARTY: dict[str, Any] = {"user_type": None, "tags": [], "status": None, "buy_restrictions": []}
EXPECTED_ORDER = {
    "id": ORDER,
    "status": "partially_refunded",
    "status_detail": None,
    "date_created": t(1),
    "date_closed": t(2),
    "last_updated": t(6),
    "date_last_updated": t(6),
    "expiration_date": "2026-03-30T09:01:00.000-03:00",
    "manufacturing_ending_date": None,
    "buying_mode": "buy_equals_pay",
    "order_items": [
        {
            "item": ITEM,
            "quantity": 2,
            "requested_quantity": {"value": 2, "measure": "unit"},
            "picked_quantity": None,
            "unit_price": 1500.5,
            "full_unit_price": 1500.5,
            "currency_id": "ARS",
            "manufacturing_days": None,
            "sale_fee": 195.06,
            "listing_type_id": "gold_special",
            "base_exchange_rate": None,
            "base_currency_id": None,
            "element_id": 1,
        }
    ],
    "total_amount": 3001.0,
    "paid_amount": 3501.0,
    "shipping_cost": 500.0,
    "currency_id": "ARS",
    "buyer": {"id": FIRST_BUYER, "nickname": "ANATORR0", **PARTY},
    "seller": {"id": SELLER, "nickname": "MEGASTOREMLA01", **PARTY},
    "payments": [ORDER_PAYMENT],
    "shipping": {"id": SHIPMENT},
    "pack_id": PACK,
    "pickup_id": None,
    "tags": ["paid", "not_delivered"],
    "cancel_detail": None,
    "mediations": [{"id": CLAIM}],
    "order_request": {"return": None, "change": None},
    "feedback": {"purchase": None, "sale": None},
    "context": {"channel": "marketplace", "site": "MLA", "flows": []},
    "coupon": {"id": None, "amount": 0},
    "fulfilled": None,
    "comment": None,
    "comments": None,
    "taxes": {"amount": None, "currency_id": None, "id": None},
}


async def test_get_order(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(f"/orders/{ORDER}", headers=headers)

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.json() == EXPECTED_ORDER


DIMENSIONS = {"height": 8, "width": 12, "length": 33, "weight": 250}


async def test_shipment_new_format_has_no_order_id_nor_status_history(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    response = await client.get(f"/shipments/{SHIPMENT}", headers={**headers, "x-format-new": "true"})

    assert await response.json() == {
        "id": SHIPMENT,
        "status": "shipped",
        "substatus": "out_for_delivery",
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
            "comments": None,
            "receiver_name": None,
            "shipping_address": {"country": {"id": "AR", "name": "Argentina"}},
        },
        "lead_time": {
            "cost": 500.0,
            "list_cost": 500.0,
            "cost_type": "charged",
            "currency_id": "ARS",
            "delivery_type": "estimated",
        },
        "dimensions": DIMENSIONS,
        "items_types": ["new"],
        "tags": [],
        "sibling": dict.fromkeys(("reason", "sibling_id", "description", "source", "date_created", "last_updated")),
        "quotation": None,
        "external_reference": None,
    }


async def test_shipment_legacy_format_has_order_id_and_status_history(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    body = await (await client.get(f"/shipments/{SHIPMENT}", headers=headers)).json()

    assert (body["order_id"], body["pack_id"], body["substatus"]) == (ORDER, PACK, "out_for_delivery")
    assert body["status_history"] == {
        "date_handling": t(2),
        "date_ready_to_ship": t(3),
        "date_shipped": t(4),
        "date_delivered": None,
        "date_not_delivered": None,
        "date_returned": None,
        "date_cancelled": None,
        "date_first_visit": None,
    }
    assert body["substatus_history"] == [
        {"status": "ready_to_ship", "substatus": "ready_to_print", "date": t(3)},
        {"status": "shipped", "substatus": "out_for_delivery", "date": t(4)},
    ]


async def test_shipment_history_and_items(client: TestClient[Any, Any]) -> None:
    headers = await shipped_order_with_claim(client)

    history = await (await client.get(f"/shipments/{SHIPMENT}/history", headers=headers)).json()
    items = await (await client.get(f"/shipments/{SHIPMENT}/items", headers=headers)).json()

    assert history == [  # newest first, in UTC
        {"status": "shipped", "substatus": "out_for_delivery", "date": "2026-03-02T12:04:00.000Z"},
        {"status": "ready_to_ship", "substatus": "ready_to_print", "date": "2026-03-02T12:03:00.000Z"},
        {"status": "handling", "substatus": None, "date": "2026-03-02T12:02:00.000Z"},
        {"status": "pending", "substatus": None, "date": "2026-03-02T12:01:00.000Z"},
    ]
    assert items == [
        {
            "item_id": "MLA1400000024",
            "description": "Mate",
            "quantity": 2,
            "variation_id": None,
            "order_id": ORDER,
            "sender_id": SELLER,
            "dimensions": DIMENSIONS,
        }
    ]


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
