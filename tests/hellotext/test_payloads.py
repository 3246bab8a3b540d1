"""Request bodies are pure functions of our records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from connectors.hellotext.payloads import (
    BUYER_PROPERTY,
    NICKNAME_PROPERTY,
    Buyer,
    event_body,
    order_body,
    product_body,
    profile_body,
)

ITEM = {"item_id": "MCO123", "title": "Mate", "quantity": 2, "unit_price": "10.50", "variation_id": "77",
        "seller_sku": None}  # fmt: skip


def test_a_buyer_becomes_a_profile_that_is_never_subscribed() -> None:
    buyer = Buyer(external_id="1122", nickname="ANA.SILVA", first_name="Ana", last_name=None)
    body = profile_body(buyer, {BUYER_PROPERTY: "p1", NICKNAME_PROPERTY: "p2"})
    assert body == {"first_name": "Ana", "property_by_id[p1]": "1122", "property_by_id[p2]": "ANA.SILVA"}


def test_products_are_referenced_by_item_and_variation() -> None:
    price = {"amount": 10.5, "currency": "COP"}
    assert product_body(ITEM, "COP") == {
        "name": "Mate",
        "reference": "MCO123-77",
        "source": "mercadolibre",
        "price": price,
    }
    assert product_body({**ITEM, "variation_id": None}, "COP")["reference"] == "MCO123"


def test_an_order_names_its_products_by_hellotext_id() -> None:
    assert order_body("2000001", [ITEM], {"MCO123-77": "prod0001"}, "COP") == {
        "reference": "2000001", "source": "mercadolibre", "sales_channel": "mercadolibre",
        "items": [{"product": "prod0001", "quantity": 2, "price": {"amount": 10.5, "currency": "COP"}}],
    }  # fmt: skip


def test_an_event_keeps_the_source_time_in_seconds_and_money_as_a_decimal() -> None:
    at = datetime(2026, 11, 20, 14, 2, 13, 500000, tzinfo=UTC)
    assert event_body("order.confirmed", "prof0001", "ord00001", at, Decimal("21.00"), "COP") == {
        "action": "order.confirmed", "profile": "prof0001", "object": "ord00001", "tracked_at": 1795183333,
        "amount": 21.0, "currency": "COP",
    }  # fmt: skip
    assert "currency" not in event_body("refund.requested", "p", "o", at, None, "COP")
