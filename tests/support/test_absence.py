"""Why an event is absent: the pure function over parsed documents, one fixture file per scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.events import Action
from connectors.mercadolibre.mapping import map_order
from tests.support.fixtures import FIXTURES, fixture, options, stored_documents
from worker.support.absence import absences
from worker.support.documents import StoredDocument, bundle_from_documents, related_ids
from worker.support.rules import RULE_TEXT, rule_for
from worker.support.summary import summarize

SCENARIOS = ("pack_splitted", "payment_pending", "ready_to_ship", "refund_not_fetched", "shipped_with_opt_ins")


def test_every_fixture_is_a_scenario() -> None:
    assert tuple(sorted(path.stem for path in FIXTURES.glob("*.json"))) == SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_absences_and_events_of_each_scenario(name: str) -> None:
    data = fixture(name)
    bundle = bundle_from_documents(data["order_id"], stored_documents(data))

    found = absences(bundle, options(data))
    mapped = map_order(bundle, options(data))

    assert [str(absence) for absence in found] == data["expected_absent"]
    assert [event.dedupe_key for event in mapped.events] == data["expected_events"]


def test_pending_payment_explains_the_missing_confirmation() -> None:
    data = fixture("payment_pending")
    bundle = bundle_from_documents(data["order_id"], stored_documents(data))

    (confirmed, *_) = absences(bundle)

    assert (confirmed.action, confirmed.reason) == (
        "order.confirmed",
        "no approved payment yet (payment 91234567301 is pending)",
    )


def test_related_ids_name_the_order_its_shipment_payments_and_claims() -> None:
    data = fixture("refund_not_fetched")

    ids = related_ids(data["order_id"], stored_documents(data))

    assert ids == {
        "order": {"2000009876543304"},
        "marketplace_order": {"2000009876543304"},
        "shipment": {"44001234304"},
        "payment": {"91234567304"},
        "claim": {"5300000304"},
    }


def test_summaries_show_the_key_fields_of_each_document() -> None:
    data = fixture("shipped_with_opt_ins")

    summaries = [summarize(doc) for doc in stored_documents(data)]

    assert summaries == [
        "status paid; total 15999.00 ARS; tags paid, not_delivered; payments 91234567303 approved; "
        "shipment 44001234303",
        "status shipped",
        "4 entries: pending > handling > ready_to_ship > shipped",
        "no claims",
    ]


def test_an_unreadable_document_is_summarized_not_raised() -> None:
    broken = StoredDocument("shipment", "44001234399", {"id": 44001234399})

    assert summarize(broken) == "unreadable: shipment 44001234399: shipment.status: missing"


def test_a_missing_order_document_is_an_invalid_record() -> None:
    with pytest.raises(ValueError, match="order 2000009876543399: no stored order document"):
        bundle_from_documents("2000009876543399", [])


def test_every_action_of_the_contract_has_a_rule_sentence() -> None:
    contract = (Path(__file__).parents[2] / "docs" / "event-mapping.md").read_text(encoding="utf-8")
    actions = set(re.findall(r"^\| `([a-z]+\.[a-z]+)` \|", contract, flags=re.MULTILINE))
    listed = set(re.findall(r"^\* `([a-z]+\.[a-z]+)`", contract, flags=re.MULTILINE))

    assert {action.value for action in RULE_TEXT} == actions | listed
    assert rule_for("page.viewed") == "not produced by the Mercado Libre mapping"
    assert rule_for(Action.ORDER_SHIPPED.value).startswith("the order's shipment is shipped or delivered")
