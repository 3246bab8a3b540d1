"""The generated world: history is fast, finished and silent; live plans cover every scenario."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sandboxes.mercadolibre import FactKind, SandboxConfig
from sandboxes.mercadolibre.builder import build_world
from sandboxes.mercadolibre.clock import DAY, iso_local, iso_utc, parse_instant
from sandboxes.mercadolibre.oracle import expected_events
from sandboxes.mercadolibre.scenarios import DECK, SCENARIOS
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.steps_shipment import PATHS

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mercadolibre"


def test_a_long_history_is_finished_silent_and_in_order() -> None:
    # How fast it builds is benchmarks/sandbox_orders.py's business; here only what it builds.
    world, engine = build_world(SandboxConfig(sellers=1, orders=0, historical_orders=5_000, history_days=730))

    seller = world.sellers[0]
    created = world.seller_created[seller]
    assert engine.pending == 0
    assert world.outbox == []
    assert created == sorted(created)
    assert created[0] >= world.start_ms - 730 * DAY
    assert max(o.updated_ms for o in world.orders.values()) < world.start_ms
    assert len([f for f in world.facts[seller] if f.kind == FactKind.ORDER_CREATED]) == len(world.orders)


def test_live_plans_cover_every_event_kind() -> None:
    world, engine = build_world(SandboxConfig(seed=3, sellers=1, orders=300))
    engine.advance(None)

    actions = Counter(e["action"] for e in expected_events(world.facts[world.sellers[0]]))
    statuses = Counter(o.status for o in world.orders.values())

    assert set(actions) == {
        "order.confirmed",
        "order.cancelled",
        "order.shipped",
        "order.delivered",
        "refund.requested",
        "refund.received",
    }
    assert set(statuses) == {"paid", "cancelled", "payment_required", "confirmed", "partially_refunded", "invalid"}
    assert any(o.cancel_detail and o.cancel_detail.code == "pack_splitted" for o in world.orders.values())
    assert any("unfulfilled" in o.tags for o in world.orders.values())
    assert any(len(p.refunds) == 2 for p in world.payments.values())
    assert {p.status for p in world.payments.values()} >= {"approved", "refunded", "rejected", "charged_back"}
    assert {r.status for p in world.payments.values() for r in p.refunds} == {"approved", "rejected"}
    assert {c.resource for c in world.claims.values()} == {"order", "shipment", "payment"}


def test_a_demo_sized_run_plays_every_scenario() -> None:
    """`meli demo --orders 200` (seed 7, one seller) deals every scenario at least once: the deck holds fewer
    than 200 cards."""
    world, engine = build_world(SandboxConfig(seed=7, sellers=1, orders=200))
    applied = engine.advance(None)

    assert DECK < 200
    assert set(world.scenarios) == set(SCENARIOS)
    assert world.scenarios["delivered"] == max(world.scenarios.values())
    assert [a for a in applied if a.skipped is not None] == []


def test_every_shipment_state_is_in_the_documented_catalogue() -> None:
    """Each (status, substatus) a shipment reaches is listed by ML's `GET /shipment_statuses`."""
    catalogue = json.loads((FIXTURES / "shipment_statuses_doc_es.json").read_text())
    known = {(s["id"], sub["id"]) for s in catalogue for sub in s["substatuses"]} | {(s["id"], None) for s in catalogue}
    world, engine = build_world(SandboxConfig(seed=7, sellers=1, orders=200))
    engine.advance(None)

    reached = {(e.status, e.substatus) for s in world.shipments.values() for e in s.history}

    assert reached <= known
    assert {s.logistic_type for s in world.shipments.values()} == set(PATHS)


def test_time_rendering() -> None:
    ms = parse_instant("2026-03-02T12:00:00.007Z")

    assert iso_utc(ms) == "2026-03-02T12:00:00.007Z"
    assert iso_local(ms, SITES["MLM"].utc_offset_minutes) == "2026-03-02T06:00:00.007-06:00"
    assert iso_local(ms, SITES["MCO"].utc_offset_minutes) == "2026-03-02T07:00:00.007-05:00"
    assert parse_instant("2026-03-02T09:00:00.007-03:00") == ms


def test_sites_and_currencies() -> None:
    assert {s: SITES[s].currency_id for s in ("MCO", "MLU", "MLA", "MLB", "MLM")} == {
        "MCO": "COP",
        "MLU": "UYU",
        "MLA": "ARS",
        "MLB": "BRL",
        "MLM": "MXN",
    }


def test_buyers_personal_data_is_partial() -> None:
    world, _ = build_world(SandboxConfig(seed=5, sellers=1, orders=60))
    buyers = [world.users[b] for b in world.buyers[world.sellers[0]]]

    assert len(buyers) == 20
    assert sum(b.first_name is None for b in buyers) == 4
    assert sum(b.email is not None for b in buyers) == 4
    assert sum(b.phone is not None for b in buyers) == 4
