"""Property: whatever ML (or a corrupted store) hands us, parsing and mapping either succeed or raise a
MeliError naming the problem; never a KeyError, TypeError, ValueError or an overflow."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from connectors.errors import MeliError
from connectors.mercadolibre.mapping import MappingOptions, OrderBundle, event_to_dict, map_order, needs
from connectors.mercadolibre.mapping.view import map_raw_documents
from connectors.mercadolibre.payloads import (
    Payment,
    parse_claims_search,
    parse_history,
    parse_order,
    parse_payment,
    parse_shipment,
)
from tests.mapping.life import life

ALL_ON = MappingOptions(include_delivered=True, include_product_purchased=True)
FULL = life(["pay", "ready", "ship", "deliver", "claim", "close_claim", "refund"])[-1]
DELETE = object()

ids = st.one_of(
    st.integers(min_value=-5, max_value=10**25),
    st.text(alphabet="0123456789", min_size=1, max_size=24),
    st.text(max_size=6),
)
offsets = st.integers(min_value=-1439, max_value=1439).map(lambda m: timezone(timedelta(minutes=m)))
times = st.one_of(
    st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), st.datetimes(), offsets),
    st.datetimes().map(datetime.isoformat),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30T00:00:00Z", "yesterday"]),
)
money = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(["1e999999", "0.1", "-0", "12,5", "NaN"]),
)
junk = st.one_of(st.none(), st.booleans(), st.just([]), st.just({}), st.text(max_size=8), ids, times, money)


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """`value` where each field may be kept (mostly), deleted, nulled, or replaced by an odd id, time, number
    or junk; lists may lose or repeat entries."""
    if isinstance(value, dict):
        found = {key: draw(_field(item)) for key, item in value.items()}
        return {key: item for key, item in found.items() if item is not DELETE}
    if isinstance(value, list):
        entries = [draw(_field(item)) for item in value]
        entries += draw(st.lists(st.sampled_from(value), max_size=2)) if value else []
        return [entry for entry in entries if entry is not DELETE]
    return value


def _field(value: Any) -> st.SearchStrategy[Any]:
    return st.integers(min_value=0, max_value=40).flatmap(
        lambda roll: {0: st.just(DELETE), 1: st.none(), 2: junk}.get(roll, mutated(value))
    )


def optional(parse: Any, raw: Any) -> Any:
    try:
        return parse(raw)
    except MeliError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=mutated(FULL["order"]),
    shipment=mutated(FULL["shipment"]),
    history=mutated(FULL["history"]),
    payment=mutated(FULL["payment"]),
    claims=mutated(FULL["claims"]),
)
def test_map_order_returns_or_raises_a_meli_error(
    order: Any, shipment: Any, history: Any, payment: Any, claims: Any
) -> None:
    parsed: Payment | None = optional(parse_payment, payment)
    try:
        document = parse_order(order)
        bundle = OrderBundle(
            order=document,
            shipment=optional(parse_shipment, shipment),
            shipment_history=optional(parse_history, history),
            payments={parsed.id: parsed} if parsed else None,
            claims=optional(parse_claims_search, claims),
        )
        result = map_order(bundle, ALL_ON)
        needs(document, bundle.shipment)
    except MeliError:
        note("refused")
        return
    note(f"mapped, {len(result.events)} events")
    keys = [event.dedupe_key for event in result.events]
    assert len(keys) == len(set(keys))
    for event in result.events:
        rendered = event_to_dict(event)
        assert rendered["tracked_at"].endswith("Z")
        assert rendered["amount"] is None or Decimal(rendered["amount"]).as_tuple().exponent == -2


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(*(mutated(FULL[key]) for key in ("order", "shipment", "history", "payment"))), max_size=4))
def test_map_raw_documents_returns_or_raises_a_meli_error(documents: list[Any]) -> None:
    try:
        result = map_raw_documents(documents, ALL_ON)
    except MeliError:
        return
    assert all(isinstance(problem, str) for problem in result.problems)
