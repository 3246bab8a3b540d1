"""The corpus cases: which real documents (tests/fixtures/mercadolibre/, sources in SOURCES.md) go into what.

Documents from ML's pages and public captures rarely come in matching sets, so a case may add a small order
made here (`stub`) to carry a payment or a claim: the stub only names the document's ids, everything the test
is about comes from the corpus document. Every corpus file is used by at least one case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.mercadolibre.payloads import load_json

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mercadolibre"
EXPECTED = Path(__file__).resolve().parent / "expected"


def corpus(name: str) -> Any:
    return load_json((CORPUS / f"{name}.json").read_bytes())


def expected(case: str) -> Any:
    return json.loads((EXPECTED / f"{case}.json").read_text())


def stub_order(order_id: int, *, payment: dict[str, Any] | None = None, shipment_id: int | None = None) -> Any:
    """A paid order made here, naming a corpus payment or shipment (amounts and dates are arbitrary)."""
    return {
        "id": order_id,
        "status": "paid",
        "date_created": "2026-01-05T10:30:00.000-03:00",
        "date_closed": "2026-01-05T10:32:15.000-03:00",
        "total_amount": 100.0,
        "currency_id": "BRL",
        "buyer": {"id": 1000001},
        "seller": {"id": 2000002},
        "shipping": {"id": shipment_id},
        "payments": [payment or {"id": 3000003, "status": "approved"}],
    }


@dataclass(frozen=True)
class MapCase:
    """Documents (corpus names, or stubs) mapped together: the full event list and the problems."""

    name: str
    documents: tuple[str | dict[str, Any], ...]
    stubs: tuple[Any, ...] = field(default=())

    def raw(self) -> list[Any]:
        return [corpus(doc) if isinstance(doc, str) else doc for doc in self.documents] + list(self.stubs)


PAYMENT_REFUNDED = corpus("payment_mp_v1_capture_refunded_with_refunds")
PAYMENT_CHARGED_BACK = corpus("payment_mp_v1_capture_charged_back_reimbursed")
PAYMENT_ML_ORDER = corpus("payment_mp_v1_ml_doc_manejo_de_pagos_fragment")
PNR_CLAIM = corpus("claim_v1_mp_reference_pnr_shipment_fragment")
CLOSED_CLAIM = corpus("claim_v1_doc_es_order_closed_refunded")

MAP_CASES: tuple[MapCase, ...] = (
    MapCase("classic_order_confirmed_at_date_closed", ("order_doc_manage_sales_es",)),
    MapCase("classic_order_with_a_claims_search_page", ("order_doc_manage_sales_es", "claims_search_doc_es")),
    MapCase("pack_order", ("order_doc_manage_sales_pt_pack_order",)),
    MapCase("order_with_gross_price", ("order_doc_gross_price_pt",)),
    MapCase("order_of_the_packs_page", ("order_doc_packs_page_es",)),
    MapCase("financed_payment_keeps_the_order_total", ("order_capture_ecomplus_test_order",)),
    MapCase("cancelled_and_refunded_order", ("order_cancelled_cancel_detail_redacted_capture",)),
    MapCase("legacy_order_with_embedded_shipping", ("order_legacy_embedded_shipping_doc_2012",)),
    MapCase(
        "refunded_mp_payment",
        ("payment_mp_v1_capture_refunded_with_refunds",),
        (stub_order(37861641598, payment={"id": PAYMENT_REFUNDED["id"], "status": "refunded"}),),
    ),
    MapCase(
        "charged_back_mp_payment",
        ("payment_mp_v1_capture_charged_back_reimbursed",),
        (stub_order(4100004, payment={"id": PAYMENT_CHARGED_BACK["id"], "status": "charged_back"}),),
    ),
    MapCase(
        "mp_payment_of_an_ml_order",
        ("payment_mp_v1_ml_doc_manejo_de_pagos_fragment",),
        (stub_order(1653025194, payment={"id": PAYMENT_ML_ORDER["id"], "status": "approved"}),),
    ),
    MapCase(
        "mp_reference_sample_payment",
        ("payment_mp_v1_devsite_sample_2017",),
        (stub_order(4100005, payment={"id": "0000001", "status": "approved"}),),
    ),
    MapCase(
        "closed_claim_on_an_order",
        ("claim_v1_doc_es_order_closed_refunded",),
        (stub_order(CLOSED_CLAIM["resource_id"]),),
    ),
    MapCase(
        "pnr_claim_on_a_shipment",
        ("claim_v1_mp_reference_pnr_shipment_fragment",),
        (
            stub_order(4100006, shipment_id=PNR_CLAIM["resource_id"]),
            stub_order(4100007, shipment_id=PNR_CLAIM["resource_id"]),
        ),
    ),
    MapCase(
        "claims_search_page_with_its_orders",
        ("claims_search_doc_es",),
        (stub_order(2000005489080336), stub_order(2000005051445424)),
    ),
    MapCase(
        "legacy_shipment_ready_to_ship",
        ("shipment_legacy_capture_ecomplus_drop_off",),
        (stub_order(4054522636, shipment_id=40126053123),),
    ),
    MapCase(
        "old_me1_shipment_with_status_history",
        ("shipment_legacy_me1_doc_2011",),
        (stub_order(4100009, shipment_id=corpus("shipment_legacy_me1_doc_2011")["id"]),),
    ),
    MapCase(
        "flex_delivered_legacy_shipment",
        ("order_shipments_single_doc_pt",),
        (
            stub_order(
                corpus("order_shipments_single_doc_pt")["order_id"],
                shipment_id=corpus("order_shipments_single_doc_pt")["id"],
            ),
        ),
    ),
    MapCase(
        "buffered_new_format_shipment_and_a_printed_history",
        ("shipment_new_format_doc_es_xd_drop_off_buffered", "shipment_history_doc_es"),
        (stub_order(4100010, shipment_id=40173236996),),
    ),
)

# Corpus documents the mapping does not read (they are not orders, shipments, histories, payments or claims);
# each must be refused with a reason, never half-read.
REFUSED: tuple[str, ...] = (
    "order_doc_206_partial_content_pt",
    "pack_doc_es",
    "pack_marketplace_cbt_doc_en",
    "chargeback_mp_sdk_java_mock",
    "return_v2_doc_es",
    "return_reviews_doc_es",
    "claim_detail_doc_es",
    "claim_status_history_doc_es",
    "claim_actions_history_doc_es",
    "shipment_payments_doc_es",
    "shipment_lead_time_doc_es_schema",
    "shipment_items_doc_es_schema",
    "refunds_list_mp_sdk_java_mock",
    "order_shipments_list_all_doc_pt",
    "shipment_flex_doc_es_fragment",
    "shipment_new_format_doc_es_schema",
)

NOTIFICATIONS: tuple[str, ...] = tuple(sorted(path.stem for path in CORPUS.glob("notification_*.json")))
MISSED_FEEDS: tuple[str, ...] = ("missed_feeds_doc_es", "missed_feeds_gs_doc_en")
# Read by their own tests: the status catalogue, the orders search page and MP's refunds list.
OWN_TESTS: tuple[str, ...] = ("shipment_statuses_doc_es", "orders_search_doc_pt", "refunds_list_mp_sdk_java_mock")


def used() -> set[str]:
    names = {doc for case in MAP_CASES for doc in case.documents if isinstance(doc, str)}
    return names | set(REFUSED) | set(NOTIFICATIONS) | set(MISSED_FEEDS) | set(OWN_TESTS)
