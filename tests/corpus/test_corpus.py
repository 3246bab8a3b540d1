"""Real Mercado Libre and Mercado Pago documents (tests/fixtures/mercadolibre/, sources in SOURCES.md) and what
the worker makes of each: the full event list and problems, the notification it names, or a clear refusal."""

from __future__ import annotations

import json

import pytest

from connectors.errors import InvalidRecord
from connectors.mercadolibre.mapping import map_raw_documents
from connectors.mercadolibre.payloads import parse_document
from tests.corpus.cases import (
    CORPUS,
    EXPECTED,
    MAP_CASES,
    MISSED_FEEDS,
    NOTIFICATIONS,
    REFUSED,
    MapCase,
    corpus,
    expected,
    used,
)
from tests.corpus.views import catalogue_view, missed_feed_view, parse_body, refunds_view


@pytest.mark.parametrize("case", MAP_CASES, ids=lambda case: case.name)
def test_documents_map_to_exactly_the_expected_events(case: MapCase) -> None:
    result = map_raw_documents(case.raw())

    assert {"events": result.events, "problems": result.problems} == expected(case.name)


@pytest.mark.parametrize("name", REFUSED)
def test_documents_the_mapping_does_not_read_are_refused_with_a_reason(name: str) -> None:
    with pytest.raises(InvalidRecord) as refused:
        parse_document(corpus(name))

    assert str(refused.value) == expected("refused")[name]


def test_every_result_of_an_orders_search_page_maps_like_the_order_itself() -> None:
    page = corpus("orders_search_doc_pt")

    results = [map_raw_documents([order]).events for order in page["results"]]

    assert results == expected("orders_search_results")


@pytest.mark.parametrize("name", NOTIFICATIONS)
def test_every_documented_notification_names_the_document_to_fetch_or_is_ignored(name: str) -> None:
    body = (CORPUS / f"{name}.json").read_bytes()

    assert parse_body(body) == expected("notifications")[name]


@pytest.mark.parametrize("name", MISSED_FEEDS)
def test_missed_feed_entries_keep_their_id_and_name_the_same_documents(name: str) -> None:
    assert missed_feed_view(corpus(name)) == expected("missed_feeds")[name]


def test_states_of_ml_status_catalogue_in_which_goods_have_left_the_seller() -> None:
    assert catalogue_view(corpus("shipment_statuses_doc_es")) == expected("shipment_statuses")


def test_only_approved_refunds_are_money_received() -> None:
    assert refunds_view(corpus("refunds_list_mp_sdk_java_mock")) == expected("refunds_list")


def test_every_corpus_document_is_used_and_every_expectation_is_read() -> None:
    documents = {path.stem for path in CORPUS.glob("*.json")}
    own = {"refused", "orders_search_results", "notifications", "missed_feeds", "shipment_statuses", "refunds_list"}
    expectations = {path.stem for path in EXPECTED.glob("*.json")}

    assert used() == documents
    assert expectations == own | {case.name for case in MAP_CASES}


def test_the_corpus_has_a_source_for_every_document() -> None:
    sources = (CORPUS / "SOURCES.md").read_text()

    assert [path.name for path in sorted(CORPUS.glob("*.json")) if f"| {path.name} |" not in sources] == []
    assert len(json.loads("[" + ",".join("1" for _ in CORPUS.glob("*.json")) + "]")) >= 25
