"""Parsing ML documents at the boundary: exact money, aware UTC times, ids as strings, InvalidRecord naming
the field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import SITES, Kind, site
from connectors.mercadolibre.payloads import (
    ShipmentHistoryEntry,
    detect_kind,
    load_json,
    parse_claims_search,
    parse_document,
    parse_history,
    parse_order,
    parse_payment,
    plain_json,
)
from tests.mapping.fixtures import fixture


def order(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": 2000009876543210,
        "status": "paid",
        "buyer": {"id": "1122334455"},
        "date_created": "2026-11-20T11:02:10.000-03:00",
    }
    return {**raw, **changes}


def test_money_is_read_from_the_json_text_exactly() -> None:
    raw = load_json(b'{"id": 1, "status": "paid", "buyer": {"id": 2}, "total_amount": 0.1, "paid_amount": 1e2}')

    parsed = parse_order(raw)

    assert parsed.total_amount == Decimal("0.1")
    assert parsed.paid_amount == Decimal("1E+2")


def test_a_float_from_elsewhere_is_read_through_its_shortest_text() -> None:
    assert parse_order(order(total_amount=0.1)).total_amount == Decimal("0.1")


def test_ids_are_strings_whether_ml_sent_numbers_or_strings() -> None:
    parsed = parse_order(order(id="2000009876543210", buyer={"id": 1122334455}, pack_id=2000004444444444))

    assert (parsed.id, parsed.buyer.id, parsed.pack_id) == ("2000009876543210", "1122334455", "2000004444444444")


def test_times_with_offsets_become_aware_utc() -> None:
    parsed = parse_order(order(date_closed="2026-11-20T23:30:00.123+05:45"))

    assert parsed.date_closed == datetime(2026, 11, 20, 17, 45, 0, 123000, tzinfo=UTC)
    assert parsed.date_created == datetime(2026, 11, 20, 14, 2, 10, tzinfo=UTC)


def test_date_last_updated_is_read_as_last_updated() -> None:
    parsed = parse_order(order(date_last_updated="2026-11-20T12:00:00.000-03:00"))

    assert parsed.last_updated == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_created": "2026-11-20T11:02:10"}, "order.date_created: must carry a time zone offset"),
        ({"date_created": "0001-01-01T00:00:00+01:00"}, "order.date_created: is out of range in UTC"),
        ({"date_created": 1732111330}, "order.date_created: must be an ISO 8601 time"),
        ({"total_amount": "NaN"}, "order.total_amount: must be a finite number"),
        ({"total_amount": 10**13}, "order.total_amount: must be between 0 and 1000000000000"),
        ({"total_amount": -1}, "order.total_amount: must be between 0 and 1000000000000"),
        ({"total_amount": True}, "order.total_amount: must be a number"),
        ({"id": 2000009876543210.0}, "order.id: must be an id (number or string of digits)"),
        ({"buyer": {"id": "abc"}}, "order.buyer.id: must be an id (number or string of digits)"),
        ({"buyer": None}, "order.buyer: Input should be a valid dictionary or instance of Buyer"),
        ({"status": None}, "order.status: Input should be a valid string"),
        (
            {"payments": [{"id": 1, "date_approved": "soon"}]},
            "order.payments.0.date_approved: must be an ISO 8601 time",
        ),
    ],
)
def test_invalid_orders_are_refused_naming_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord) as refused:
        parse_order(order(**changes))

    assert str(refused.value) == message


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(InvalidRecord) as refused:
        parse_order({"id": 1, "status": "paid"})

    assert str(refused.value) == "order.buyer: missing"


def test_bad_order_lines_are_skipped_and_described() -> None:
    lines = [
        {"item": {"id": "MLA1"}, "quantity": 1, "unit_price": 10},
        {"item": {"id": "MLA2"}, "quantity": 0, "unit_price": 10},
        "not a line",
    ]

    parsed = parse_order(order(order_items=lines))

    assert [line.item.id for line in parsed.order_items] == ["MLA1"]
    assert parsed.item_problems == (
        "skipped line: order_items[1].quantity: must be a whole number from 1 to 1000000",
        "skipped line: order_items[2]: Input should be a valid dictionary or instance of OrderLine",
    )


def test_payment_is_read_from_the_collection_wrapper_with_order_as_object() -> None:
    raw = {"collection": {"id": "91234567890", "order": {"id": "2000009876543210"}, "refunds": None}}

    parsed = parse_payment(raw)

    assert (parsed.id, parsed.order_id, parsed.refunds) == ("91234567890", "2000009876543210", ())


def test_history_is_a_list_or_wrapped_in_history() -> None:
    entry = {"status": "shipped", "substatus": None, "date": "2026-11-21T18:40:12.345-03:00"}
    expected = (ShipmentHistoryEntry(status="shipped", date=datetime(2026, 11, 21, 21, 40, 12, 345000, tzinfo=UTC)),)

    assert parse_history([entry]) == parse_history({"history": [entry]}) == expected


def test_history_entry_without_date_is_refused() -> None:
    with pytest.raises(InvalidRecord) as refused:
        parse_history([{"status": "shipped"}])

    assert str(refused.value) == "shipment_history[0].date: missing"


def test_claims_search_results_are_read_from_data() -> None:
    raw = {"paging": {"total": 1, "offset": 0, "limit": 30}, "data": [{"id": 5300012345, "resource": "order"}]}

    assert [claim.id for claim in parse_claims_search(raw)] == ["5300012345"]


def test_every_fixture_document_kind_is_detected() -> None:
    documents = fixture("claim_closed_with_refund")["documents"] + fixture("shipped")["documents"]

    kinds = [detect_kind(document) for document in documents]

    assert kinds == [Kind.ORDER, Kind.CLAIM, Kind.PAYMENT, Kind.ORDER, Kind.SHIPMENT, Kind.SHIPMENT_HISTORY]


@pytest.mark.parametrize("raw", [{"hello": "world"}, "text", 42, None])
def test_unrecognised_documents_are_refused(raw: object) -> None:
    with pytest.raises(InvalidRecord) as refused:
        detect_kind(raw)

    assert str(refused.value) == (
        "document: not a recognised ML order, shipment, shipment history, payment, claim or claims search page"
    )


def test_a_forced_kind_is_used_and_an_unknown_kind_is_refused() -> None:
    assert parse_document({"id": 44001234567, "status": "shipped"}, "shipment").id == "44001234567"  # type: ignore[union-attr]
    with pytest.raises(InvalidRecord) as refused:
        parse_document({}, "invoice")

    assert str(refused.value).startswith("kind: 'invoice' is not a document kind")


def test_load_json_refuses_invalid_text() -> None:
    with pytest.raises(InvalidRecord) as refused:
        load_json(b"{")

    assert str(refused.value) == "document: not valid JSON (JSONDecodeError)"


def test_plain_json_turns_decimals_back_into_numbers_with_the_same_text() -> None:
    loaded = load_json(b'{"a": [0.1, 15999.0, 1], "b": {"c": 2000.2}}')

    assert plain_json(loaded) == {"a": [0.1, 15999.0, 1], "b": {"c": 2000.2}}


def test_sites_know_currency_and_auth_host() -> None:
    assert site("mlb") == SITES["MLB"]
    assert (SITES["MLB"].currency, SITES["MLB"].auth_host) == ("BRL", "auth.mercadolivre.com.br")
    assert (SITES["MLC"].currency, SITES["MLC"].auth_host) == ("CLP", "auth.mercadolibre.cl")
    assert site("XXX") is None
