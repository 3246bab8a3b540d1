"""Date windows for ML's order search: exact query text, adaptive splits, the two import phases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from connectors.mercadolibre.payloads import Order, parse_order
from worker.backfill.claims import ClaimsIndex
from worker.backfill.windows import PhasePlan, Span, initial_phases, manual_phase, ml_time, pieces, search_params

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_page_query_is_half_open_on_milliseconds_oldest_first() -> None:
    span = Span(T0, T0 + timedelta(days=1))

    assert search_params(span, "date_created", 150) == {
        "order.date_created.from": "2026-11-01T00:00:00.000-00:00",
        "order.date_created.to": "2026-11-01T23:59:59.999-00:00",
        "sort": "date_asc",
        "offset": "150",
        "limit": "50",
    }
    assert search_params(span, "date_last_updated", 0, "cancelled")["order.status"] == "cancelled"
    assert ml_time(datetime(2026, 11, 1, 9, 30, 0, 123999, tzinfo=UTC)) == "2026-11-01T09:30:00.123-00:00"


def test_a_dense_window_splits_into_pieces_sized_from_its_total() -> None:
    span = Span(T0, T0 + timedelta(days=30))

    parts = pieces(span, total=700, cap=100)  # 700 / (0.7 * 100) = 10 pieces of 3 days

    assert len(parts) == 10
    assert [parts[0].start, parts[-1].end] == [span.start, span.end]
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    assert {part.end - part.start for part in parts} == {timedelta(days=3)}
    assert len(pieces(span, total=101, cap=100)) == 2
    assert len(pieces(span, total=10**9, cap=100)) == 64  # at most 64 at once; a dense piece splits again
    assert pieces(Span(T0, T0 + timedelta(milliseconds=1500)), total=500, cap=100) == []  # too short to split


def test_the_initial_import_is_recent_days_first_then_older_history() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, 456789, tzinfo=UTC)
    at = now.replace(microsecond=456000)

    assert initial_phases(now, recent_days=90, depth_days=365) == [
        PhasePlan("recent", 0, at - timedelta(days=90), at),
        PhasePlan("history", 1, at - timedelta(days=365), at - timedelta(days=90)),
    ]
    assert initial_phases(now, recent_days=90, depth_days=60) == [PhasePlan("recent", 0, at - timedelta(days=60), at)]
    assert manual_phase(T0, T0 + timedelta(days=1)) == PhasePlan("manual", 2, T0, T0 + timedelta(days=1))


def order_of(order_id: int, payment_id: int, shipment_id: int | None = None) -> Order:
    raw = {"id": order_id, "status": "paid", "buyer": {"id": 5}, "payments": [{"id": payment_id}]}
    return parse_order({**raw, "shipping": {"id": shipment_id}})


def test_the_claims_index_answers_like_a_claims_search_by_order() -> None:
    index = ClaimsIndex()
    for claim in (
        {"id": 1, "resource": "order", "resource_id": 77, "type": "mediations"},
        {"id": 2, "resource": "order", "resource_id": 77, "type": "return"},
        {"id": 3, "resource": "payment", "resource_id": 91},
        {"id": 4, "resource": "shipment", "resource_id": 44},
        {"id": 5, "resource": "purchase", "resource_id": 77},
    ):
        index.add(claim)

    assert index.for_order(order_of(77, 90)) == {
        "paging": {"total": 2, "offset": 0, "limit": 100},
        "data": [
            {"id": 1, "resource": "order", "resource_id": 77, "type": "mediations"},
            {"id": 2, "resource": "order", "resource_id": 77, "type": "return"},
        ],
    }
    assert index.for_order(order_of(78, 91, 44)) == {
        "paging": {"total": 2, "offset": 0, "limit": 100},
        "data": [
            {"id": 3, "resource": "payment", "resource_id": 91},
            {"id": 4, "resource": "shipment", "resource_id": 44},
        ],
    }
    assert index.for_order(order_of(79, 92)) == {"paging": {"total": 0, "offset": 0, "limit": 100}, "data": []}
    assert (index.resources("order"), index.resources("shipment"), index.resources("payment"), index.claims) == (
        ["77"], ["44"], ["91"], 4
    )  # fmt: skip
