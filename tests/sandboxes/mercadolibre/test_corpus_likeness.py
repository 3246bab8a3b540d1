"""The sandbox's documents look like the real ones (tests/fixtures/mercadolibre/, SOURCES.md says where
each comes from): key by key and type by type, recursively, for every kind of document the integration reads.

Every key a real document has and the sandbox lacks is listed in likeness_gaps.json with a reason, and so is
every key the sandbox adds, and every place it renders null where the real documents never do; the lists
must be exact (a listed key the sandbox now renders fails the test, so the file cannot go stale). A type
that differs is never acceptable.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from sandboxes.mercadolibre import SandboxConfig
from tests.sandboxes.mercadolibre.conftest import (
    CLIENT_ID,
    FIRST_BUYER,
    SELLER,
    SELLER_2,
    MakeClient,
    bearer,
    create_order,
    token_for,
    transition,
)
from tests.sandboxes.mercadolibre.likeness import Comparison, Shape, compare, corpus_documents, shape_of
from tests.sandboxes.mercadolibre.story import CLAIM, ITEMS, ORDER, PAYMENT, SHIPMENT

GAPS = Path(__file__).with_name("likeness_gaps.json")
# kind -> the corpus documents of that kind. Left out on purpose: order_legacy_embedded_shipping_doc_2012.json
# and shipment_legacy_me1_doc_2011.json (shapes ML retired a decade ago), pack and list views the sandbox
# does not serve (pack_*, shipment_payments, shipment_lead_time), and MP's refunds list and chargeback
# resources (not fetched by the integration; their fields appear inside the payment).
CORPUS: Final[dict[str, tuple[str, ...]]] = {
    "order": (
        "order_doc_manage_sales_es.json", "order_doc_206_partial_content_pt.json",
        "order_doc_manage_sales_pt_pack_order.json", "order_doc_gross_price_pt.json", "order_doc_packs_page_es.json",
        "order_capture_ecomplus_test_order.json", "order_cancelled_cancel_detail_redacted_capture.json",
    ),
    "orders_search": ("orders_search_doc_pt.json",),
    "mp_payment": (
        "payment_mp_v1_capture_refunded_with_refunds.json", "payment_mp_v1_capture_charged_back_reimbursed.json",
        "payment_mp_v1_ml_doc_manejo_de_pagos_fragment.json", "payment_mp_v1_devsite_sample_2017.json",
    ),
    "shipment_new": ("shipment_new_format_doc_es_schema.json", "shipment_new_format_doc_es_xd_drop_off_buffered.json"),
    "shipment_legacy": (
        "shipment_legacy_capture_ecomplus_drop_off.json", "order_shipments_single_doc_pt.json",
        "order_shipments_list_all_doc_pt.json", "shipment_flex_doc_es_fragment.json",
    ),
    "shipment_history": ("shipment_history_doc_es.json",),
    "shipment_items": ("shipment_items_doc_es_schema.json",),
    "claim": ("claim_v1_doc_es_order_closed_refunded.json", "claim_v1_mp_reference_pnr_shipment_fragment.json"),
    "claims_search": ("claims_search_doc_es.json",),
    "return_v2": ("return_v2_doc_es.json",),
    "missed_feeds": ("missed_feeds_doc_es.json", "missed_feeds_gs_doc_en.json"),
    "notification_orders_v2": ("notification_orders_v2_doc_es.json",),
    "notification_shipments": ("notification_shipments_doc_es.json",),
    "notification_payments": ("notification_payments_collections_doc_es.json",),
    "notification_post_purchase": ("notification_post_purchase_claims_doc_es.json",),
    "notification_marketplace": (
        "notification_gs_marketplace_orders_doc_en.json", "notification_gs_marketplace_shipments_doc_en.json",
        "notification_gs_marketplace_claims_doc_en.json",
    ),
}  # fmt: skip
# Search answers list documents of another kind: their entries are compared with that kind's corpus too.
LISTS: Final = {"orders_search": ("results", "order"), "claims_search": ("data", "claim")}
BUYER_OF_SELLER_2 = FIRST_BUYER + 8
NAMED_BUYER = FIRST_BUYER + 2  # a buyer whose names and e-mail ML shows
E, E2 = ORDER + 1, ORDER + 3  # a cart split into E2 and F2
E2_SHIPMENT = SHIPMENT + 2


class Callback:
    """Answers every notification 400 (as the documented missed feed shows), recording the bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return web.Response(status=400, text="[object Object]", headers={"Connection": "close"})


@pytest.fixture
async def callback() -> AsyncIterator[tuple[Callback, str]]:
    receiver = Callback()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield receiver, str(server.make_url("/hook"))
    await server.close()


async def play(client: TestClient[Any, Any]) -> None:
    """ORDER: delivered, refunded in part, a return claim disputed and refunded. E/F: a cart, split; E2 then
    shipped with a claim in dispute. A Global Selling seller's order with a claim."""
    await create_order(client, items=ITEMS, shipping_cost="300")
    for kind in ("pay", "ready_to_ship", "ship", "deliver"):
        await transition(client, ORDER, kind)
    await transition(client, ORDER, "partial_refund", amount="150")
    await transition(client, ORDER, "open_claim", type="return")
    await transition(client, ORDER, "escalate_claim")
    await transition(client, ORDER, "close_claim", reason="payment_refunded")
    await create_order(client, items=ITEMS, orders=2, buyer_id=NAMED_BUYER)
    await transition(client, E, "pay")
    await transition(client, E + 1, "pay")
    await transition(client, E, "pack_split")
    await transition(client, E2, "ready_to_ship")
    await transition(client, E2, "ship")
    await transition(client, E2, "open_claim")
    await transition(client, E2, "escalate_claim")
    await create_order(client, seller_id=SELLER_2, buyer_id=BUYER_OF_SELLER_2, items=ITEMS)
    await transition(client, E2 + 2, "pay")
    await transition(client, E2 + 2, "open_claim")


async def settled(client: TestClient[Any, Any]) -> None:
    for _ in range(2000):
        body = await (await client.get("/_sandbox/notifications")).json()
        if all(d["state"] != "pending" for d in body["deliveries"]):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("notifications did not settle")


async def sandbox_documents(client: TestClient[Any, Any], bodies: list[dict[str, Any]]) -> dict[str, list[Any]]:
    seller = bearer(await token_for(client, SELLER))
    new = {**seller, "x-format-new": "true"}

    async def get(path: str, headers: dict[str, str] = seller) -> Any:
        response = await client.get(path, headers=headers)
        assert response.status == 200, path
        return await response.json()

    def topic(name: str) -> list[dict[str, Any]]:
        return [b for b in bodies if b["topic"] == name][:1]

    return {
        "order": [await get(f"/orders/{ORDER}"), await get(f"/orders/{E}")],
        "orders_search": [await get(f"/orders/search?seller={SELLER}")],
        "mp_payment": [await get(f"/v1/payments/{PAYMENT}")],
        "shipment_new": [await get(f"/shipments/{SHIPMENT}", new), await get(f"/shipments/{E2_SHIPMENT}", new)],
        "shipment_legacy": [await get(f"/shipments/{SHIPMENT}")],
        "shipment_history": [await get(f"/shipments/{SHIPMENT}/history")],
        "shipment_items": [await get(f"/shipments/{SHIPMENT}/items")],
        "claim": [await get(f"/post-purchase/v1/claims/{CLAIM}")],
        "claims_search": [
            await get(f"/post-purchase/v1/claims/search?players.role=respondent&players.user_id={SELLER}")
        ],
        "return_v2": [await get(f"/post-purchase/v2/claims/{CLAIM}/returns")],
        "missed_feeds": [await get(f"/missed_feeds?app_id={CLIENT_ID}&limit=50")],
        **{f"notification_{name}": topic(name) for name in ("orders_v2", "shipments", "payments", "post_purchase")},
        "notification_marketplace": [b for b in bodies if b["topic"].startswith("marketplace_")],
    }


@pytest.fixture
async def documents(make_client: MakeClient, callback: tuple[Callback, str]) -> dict[str, list[Any]]:
    receiver, url = callback
    config = SandboxConfig(
        sellers=2, orders=0, global_sellers=1, callback_url=url, notify_time_scale=0.001, notify_max_attempts=1
    )
    client = await make_client(config)
    await play(client)
    await settled(client)
    return await sandbox_documents(client, receiver.bodies)


def expected_shape(kind: str) -> Shape:
    documents = corpus_documents(CORPUS[kind], flatten=kind == "shipment_legacy")
    if kind in LISTS:
        key, inner = LISTS[kind]
        documents += [{key: [document]} for document in corpus_documents(CORPUS[inner])]
    return shape_of(documents)


def listed(gaps: dict[str, Any], kind: str, section: str) -> set[str]:
    entries: dict[str, str] = gaps.get(kind, {}).get(section, {})
    assert all(isinstance(reason, str) and reason.strip() for reason in entries.values()), (kind, section)
    return set(entries)


@pytest.mark.parametrize("kind", sorted(CORPUS))
async def test_sandbox_documents_look_like_the_corpus(documents: dict[str, list[Any]], kind: str) -> None:
    gaps = json.loads(GAPS.read_text())
    sandbox = documents[kind]
    assert sandbox, f"no sandbox document of kind {kind}"

    found: Comparison = compare(expected_shape(kind), sandbox)

    assert found.mismatched == {}
    assert sorted(found.missing) == sorted(listed(gaps, kind, "missing"))
    assert sorted(found.extra) == sorted(listed(gaps, kind, "extra"))
    assert sorted(found.nullable) == sorted(listed(gaps, kind, "nullable"))


def test_the_gap_list_covers_only_known_kinds() -> None:
    gaps = json.loads(GAPS.read_text())

    assert set(gaps) - {"_about"} <= set(CORPUS)
    assert all(set(sections) <= {"missing", "extra", "nullable"} for kind, sections in gaps.items() if kind != "_about")
