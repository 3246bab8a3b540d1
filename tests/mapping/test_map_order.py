"""`map_order` beyond the event list: subscriber, order object, what it ignores, and the fetch plan."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import InvalidRecord
from connectors.events import OrderItem, OrderSnapshot, Subscriber
from connectors.mercadolibre.mapping import (
    MappingOptions,
    Need,
    NeedKind,
    OrderBundle,
    linked_order_ids,
    map_order,
    needs,
)
from connectors.mercadolibre.payloads import (
    Order,
    parse_claim,
    parse_order,
    parse_payment,
    parse_shipment,
)
from tests.mapping.fixtures import fixture

ORDER_ID = "2000009876543210"


def documents(name: str) -> list[Any]:
    docs: list[Any] = fixture(name)["documents"]
    return docs


def paid_order(**changes: Any) -> Order:
    return parse_order({**documents("paid")[0], **changes})


def test_subscriber_and_order_object_of_a_paid_order() -> None:
    raw = documents("paid")[0]

    result = map_order(OrderBundle(parse_order(raw), raw=raw))

    assert result.subscriber == Subscriber(
        external_id="1122334455",
        source="mercadolibre",
        nickname="COMPRADOR.TEST",
        first_name="Lucía",
        last_name="Gómez",
    )
    assert result.order == OrderSnapshot(
        reference=ORDER_ID,
        source="mercadolibre",
        status="paid",
        updated_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
        currency="ARS",
        total_amount=Decimal("15999.0"),
        paid_amount=Decimal("17499.0"),
        items=(
            OrderItem(
                item_id="MLA1400123456",
                title="Auriculares inalámbricos X2",
                quantity=1,
                unit_price=Decimal("15999.0"),
                seller_sku="AUR-X2-NEG",
                variation_id="180012345678",
            ),
        ),
        pack_id=None,
        shipment_id="44001234567",
        created_at=datetime(2026, 11, 20, 14, 2, 10, tzinfo=UTC),
        raw=result.order.raw,
    )
    assert result.order.raw == raw  # as ML sent it, exact Decimals included (the store writes them as numbers)
    assert result.order.raw["total_amount"] == Decimal("15999.0")
    assert result.problems == []


def test_buyer_phone_is_kept_only_when_ml_sends_it() -> None:
    order = paid_order(buyer={"id": 1, "phone": {"area_code": "11", "number": "45678901", "verified": False}})

    assert map_order(OrderBundle(order)).subscriber.phone == "11 45678901"
    assert map_order(OrderBundle(paid_order(buyer={"id": 1, "phone": {}}))).subscriber.phone is None


def test_an_order_without_any_time_cannot_be_stored() -> None:
    order = paid_order(date_created=None, date_closed=None, last_updated=None)

    with pytest.raises(InvalidRecord) as refused:
        map_order(OrderBundle(order))

    assert str(refused.value) == "order.last_updated: missing, and the order has no date_closed or date_created"


def test_another_orders_shipment_is_ignored_with_a_problem() -> None:
    shipment = parse_shipment({"id": 44009999999, "status": "shipped"})

    result = map_order(OrderBundle(paid_order(), shipment=shipment, shipment_history=[]))

    assert [event.action for event in result.events] == ["order.confirmed"]
    assert result.problems == [f"order {ORDER_ID}: shipment 44009999999 is not this order's shipment; ignored"]


def test_another_orders_payment_gives_no_refund_here() -> None:
    refund = {"id": 1, "amount": 10, "date_created": "2026-11-21T10:00:00.000-03:00"}
    payment = parse_payment({"id": 91299999999, "order_id": 2000009999999999, "refunds": [refund]})

    result = map_order(OrderBundle(paid_order(), payments={payment.id: payment}))

    assert [event.action for event in result.events] == ["order.confirmed"]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ({"type": "mediations"}, ["ml:claim:5300012345:requested"]),
        ({"type": "return"}, ["ml:claim:5300012345:requested"]),
        ({"type": "returns"}, ["ml:claim:5300012345:requested"]),
        ({"type": "fulfillment"}, ["ml:claim:5300012345:requested"]),
        ({"type": "ml_case"}, ["ml:claim:5300012345:requested"]),
        ({"type": "cancel_purchase"}, ["ml:claim:5300012345:requested"]),
        ({"type": "cancel_sale"}, []),
        ({"type": "change"}, []),
        ({"type": "service"}, []),
        ({"type": "mediations", "resource": "payment", "resource_id": 91234567890}, ["ml:claim:5300012345:requested"]),
        ({"type": "mediations", "resource": "payment", "resource_id": 91299999999}, []),
        (
            {"type": "mediations", "resource": "shipment", "resource_id": 44001234567},
            [f"ml:claim:5300012345:order:{ORDER_ID}:requested"],
        ),
        ({"type": "mediations", "resource": "shipment", "resource_id": 44009999999}, []),
        ({"type": "mediations", "resource": "purchase", "resource_id": ORDER_ID}, []),
        ({"type": "mediations", "resource_id": 2000009999999999}, []),
    ],
)
def test_which_claims_request_a_refund(claim: dict[str, Any], expected: list[str]) -> None:
    raw = {"id": 5300012345, "resource": "order", "resource_id": ORDER_ID, "status": "opened"}
    raw["date_created"] = "2026-11-25T10:00:00.000-03:00"

    result = map_order(OrderBundle(paid_order(), claims=[parse_claim({**raw, **claim})]))

    assert [event.dedupe_key for event in result.events if event.action == "refund.requested"] == expected


def test_options_default_to_the_five_mission_events() -> None:
    assert MappingOptions() == MappingOptions(include_delivered=False, include_product_purchased=False)


def fetch_plan(name: str, index: int = 0, shipment: dict[str, Any] | None = None) -> set[Need]:
    order = parse_order(documents(name)[index])
    return set(needs(order, parse_shipment(shipment) if shipment else None))


def test_fetch_plan_of_a_paid_order_before_and_after_its_shipment_is_known() -> None:
    assert fetch_plan("paid") == {
        Need(NeedKind.SHIPMENT, "44001234567"),
        Need(NeedKind.CLAIMS_BY_ORDER, ORDER_ID),
    }
    assert fetch_plan("paid", shipment={"id": 44001234567, "status": "ready_to_ship"}) == {
        Need(NeedKind.SHIPMENT, "44001234567"),
        Need(NeedKind.CLAIMS_BY_ORDER, ORDER_ID),
    }
    assert fetch_plan("paid", shipment={"id": 44001234567, "status": "delivered"}) == {
        Need(NeedKind.SHIPMENT, "44001234567"),
        Need(NeedKind.SHIPMENT_HISTORY, "44001234567"),
        Need(NeedKind.CLAIMS_BY_ORDER, ORDER_ID),
    }


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("cancelled_before_payment", 0, {Need(NeedKind.SHIPMENT, "44001234568")}),
        (
            "cancelled_after_payment",
            0,
            {Need(NeedKind.PAYMENT, "91234567892"), Need(NeedKind.CLAIMS_BY_ORDER, "2000009876543212")},
        ),
        (
            "partial_refund_twice",
            0,
            {Need(NeedKind.PAYMENT, "91234567899"), Need(NeedKind.CLAIMS_BY_ORDER, "2000009876543219")},
        ),
        (
            "refund_to_balance_unfulfilled",
            0,
            {Need(NeedKind.PAYMENT, "91234567900"), Need(NeedKind.CLAIMS_BY_ORDER, "2000009876543220")},
        ),
        (
            "pack_splitted",
            0,
            {Need(NeedKind.SHIPMENT, "44001234574"), Need(NeedKind.CLAIMS_BY_ORDER, "2000009876543221")},
        ),
        ("payment_pending", 0, {Need(NeedKind.SHIPMENT, "44001234577")}),
    ],
)
def test_fetch_plan_asks_for_payments_only_when_a_refund_shows(name: str, index: int, expected: set[Need]) -> None:
    assert fetch_plan(name, index) == expected


def test_related_documents_name_their_orders() -> None:
    docs = documents("documents_without_order")

    assert linked_order_ids(parse_shipment(docs[0])) == ()
    assert linked_order_ids(parse_payment(docs[1])) == ("2000009999999999",)
    assert linked_order_ids(parse_claim(docs[2])) == ()
    assert linked_order_ids(parse_claim(docs[3])) == ("2000009999999999",)
    assert linked_order_ids(parse_shipment({"id": 1, "status": "shipped", "order_id": 2})) == ("2",)
