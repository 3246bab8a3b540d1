"""Every scenario fixture: the ML documents in, the full event list (and problems) out, exactly."""

from __future__ import annotations

import json

import pytest

from connectors.mercadolibre.mapping import map_raw_documents
from tests.mapping.fixtures import FIXTURES, fixture, options

SCENARIOS = [
    "paid",
    "cancelled_before_payment",
    "cancelled_after_payment",
    "shipped",
    "delivered_first",
    "delivered_opt_in",
    "pack_of_two",
    "claim_opened",
    "claim_closed_with_refund",
    "partial_refund_twice",
    "refund_to_balance_unfulfilled",
    "pack_splitted",
    "pack_splitted_shipment_unknown",
    "payment_pending",
    "paid_with_products",
    "related_documents_unknown",
    "documents_without_order",
    "shipped_then_not_delivered",
    "not_delivered_never_handed_over",
    "shipped_outside_mercado_envios",
    "cross_docking_in_hub",
    "fulfillment_unordered_history",
    "flex_self_service",
    "refunds_of_several_statuses",
    "refund_without_refund_detail",
    "chargeback_after_a_partial_refund",
    "claim_on_a_pack_shipment",
    "claim_on_a_payment",
    "invalidated_order",
    "pending_cancel_is_not_cancelled_yet",
]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_gives_exactly_the_expected_events(name: str) -> None:
    data = fixture(name)

    result = map_raw_documents(data["documents"], options(data))

    assert result.events == data["expected_events"]
    assert result.problems == data["expected_problems"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_output_is_plain_json(name: str) -> None:
    data = fixture(name)

    result = map_raw_documents(data["documents"], options(data))

    assert json.loads(json.dumps(result.events)) == result.events


@pytest.mark.parametrize("name", SCENARIOS)
def test_documents_in_any_order_give_the_same_events(name: str) -> None:
    data = fixture(name)

    result = map_raw_documents(list(reversed(data["documents"])), options(data))

    assert result.events == data["expected_events"]


def test_every_fixture_file_is_used() -> None:
    sources = "".join(path.read_text() for path in FIXTURES.parent.glob("test_*.py"))

    unused = sorted(path.stem for path in FIXTURES.glob("*.json") if f'"{path.stem}"' not in sources)

    assert unused == []
