"""Property: ML notifications arrive late, twice and out of order, so we may map any snapshot of an order's
life any number of times in any order, and some fetches miss related documents. Keeping the first event per
dedupe key, the store must end up with exactly the keys that mapping the final snapshot gives (with the same
times and amounts), as long as one fetch of the final state saw everything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.events import Event
from connectors.mercadolibre.mapping import MappingOptions, map_order
from tests.mapping.life import STEPS, bundle, life

ALL_ON = MappingOptions(include_delivered=True, include_product_purchased=True)
RELATED = ("shipment", "history", "payments", "claims")
# Cancelling is easy and final; weigh the shipping path so lives often get that far.
WEIGHTED_STEPS = (*STEPS, "pay", "pay", "ready", "ready", "ship", "ship", "deliver", "claim", "approve_refund")


def store(events: list[Event], stored: dict[str, Event]) -> None:
    for event in events:
        stored.setdefault(event.dedupe_key, event)


def identity(event: Event) -> tuple[object, ...]:
    return (event.action, event.tracked_at, event.amount, event.currency, event.order_reference)


@st.composite
def replays(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[int], list[frozenset[str]]]:
    snapshots = life(draw(st.lists(st.sampled_from(WEIGHTED_STEPS), max_size=14)))
    indices = list(range(len(snapshots)))
    extra = draw(st.lists(st.sampled_from(indices), max_size=6))
    order = draw(st.permutations(indices + extra))
    known = [frozenset(draw(st.lists(st.sampled_from(RELATED), unique=True))) for _ in order]
    # Some fetch of the final state saw every related document (others may have missed some).
    finals = [position for position, index in enumerate(order) if index == indices[-1]]
    known[draw(st.sampled_from(finals))] = frozenset({"all"})
    return snapshots, order, known


@settings(max_examples=300, deadline=None)
@given(replays())
def test_any_replay_stores_the_events_of_the_final_snapshot(
    replay: tuple[list[dict[str, object]], list[int], list[frozenset[str]]],
) -> None:
    snapshots, order, known = replay
    stored: dict[str, Event] = {}

    for index, fetched in zip(order, known, strict=True):
        store(map_order(bundle(snapshots[index], fetched), ALL_ON).events, stored)
    final = {event.dedupe_key: event for event in map_order(bundle(snapshots[-1]), ALL_ON).events}

    assert set(stored) == set(final)
    assert {key: identity(event) for key, event in stored.items()} == {
        key: identity(event) for key, event in final.items()
    }


def test_a_full_life_gives_every_kind_of_event() -> None:
    snapshots = life(["pay", "ready", "ship", "deliver", "claim", "close_claim", "refund"])

    keys = [event.dedupe_key for event in map_order(bundle(snapshots[-1]), ALL_ON).events]

    assert keys == [
        "ml:order:2000009876543210:confirmed",
        "ml:order:2000009876543210:item:MLA1400123456:0:purchased",
        "ml:order:2000009876543210:shipped",
        "ml:order:2000009876543210:delivered",
        "ml:claim:5300012345:requested",
        "ml:refund:3000011110001",
        "ml:refund:3000011110002",
    ]


def test_a_returned_shipment_and_a_chargeback_keep_their_first_times() -> None:
    snapshots = life(["pay", "ready", "pickup", "ship", "return", "request_refund", "approve_refund", "chargeback"])

    events = map_order(bundle(snapshots[-1]), ALL_ON).events

    assert [(event.dedupe_key, event.tracked_at.isoformat(), str(event.amount)) for event in events] == [
        ("ml:order:2000009876543210:confirmed", "2026-11-20T14:09:10+00:00", "15999.5"),
        ("ml:order:2000009876543210:item:MLA1400123456:0:purchased", "2026-11-20T14:09:10+00:00", "15999.5"),
        ("ml:order:2000009876543210:shipped", "2026-11-20T14:23:10+00:00", "15999.5"),
        ("ml:refund:3000011110001", "2026-11-20T14:44:10+00:00", "0.02"),
        ("ml:chargeback:91234567890", "2026-11-20T14:58:10+00:00", "15999.48"),
    ]
