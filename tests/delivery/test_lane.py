"""A business's lane delivers its stored events to its Hellotext: profile, products and order created once,
each event once, in the order they happened; a second run adds nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import text

from tests.delivery.conftest import Shop
from worker.delivery.lane import LaneOptions, run_lane


async def test_events_reach_hellotext_once_with_their_profile_and_order(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped", "refund.requested")

    assert await shop.run() == Counter(delivered=3)
    assert await shop.run() == Counter()

    oracle = shop.fake.oracle()
    profile, order = oracle["profiles"][0], oracle["orders"][0]
    assert len(oracle["profiles"]) == len(oracle["orders"]) == len(oracle["products"]) == 1
    assert (profile["first_name"], profile["subscribed"], sorted(profile["properties"].values())) == (
        "Ana", False, ["1122", "NICK1122"],
    )  # fmt: skip
    assert (order["reference"], order["source"], order["total"]) == ("2000001", "mercadolibre", "21.0")
    assert oracle["products"][0]["reference"] == "MCO1001-77"
    assert shop.sent() == [
        ("order.confirmed", profile["id"], order["id"], "21.0", "COP", "2026-11-20T14:02:13+00:00"),
        ("order.shipped", profile["id"], order["id"], "21.0", "COP", "2026-11-20T14:03:13+00:00"),
        ("refund.requested", profile["id"], order["id"], "21.0", "COP", "2026-11-20T14:04:13+00:00"),
    ]
    assert [row[:4] for row in await shop.deliveries()] == [
        ("order.confirmed", "delivered", 1, 200), ("order.shipped", "delivered", 1, 200),
        ("refund.requested", "delivered", 1, 200),
    ]  # fmt: skip


async def test_a_second_order_of_the_same_buyer_reuses_the_profile_and_products(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    await shop.run()
    await shop.order("2000002", "order.confirmed")
    assert await shop.run() == Counter(delivered=1)
    oracle = shop.fake.oracle()
    assert (len(oracle["profiles"]), len(oracle["products"]), len(oracle["orders"]), len(oracle["properties"])) == (
        1, 1, 2, 2,
    )  # fmt: skip


async def test_a_business_without_a_hellotext_token_keeps_its_deliveries_pending(shop: Shop) -> None:
    async with shop.db.connect() as conn:
        await conn.execute(text("DELETE FROM hellotext_settings"))
    await shop.order("2000001", "order.confirmed")
    assert await shop.run() == Counter()
    assert [row[:3] for row in await shop.deliveries()] == [("order.confirmed", "pending", 0)]


async def test_orders_go_at_once_more_each_round_but_each_order_s_events_stay_in_order_and_records_are_made_once(
    shop: Shop,
) -> None:
    actions = ("order.placed", "order.confirmed", "order.shipped", "order.delivered")
    for n in range(6):
        await shop.order(f"200000{n}", *actions)  # one buyer, one product, six orders of four events

    assert await shop.run() == Counter(delivered=24)

    oracle = shop.fake.oracle()
    assert (len(oracle["profiles"]), len(oracle["products"]), len(oracle["orders"])) == (1, 1, 6)
    per_order: dict[str, list[str]] = {}
    for event in oracle["events"]:
        per_order.setdefault(event["object"], []).append(event["action"])
    assert list(per_order.values()) == [list(actions)] * 6
    first_rounds = [event["object"] for event in oracle["events"][:7]]  # rounds of 1, 2 and 4 orders
    assert [len(set(first_rounds[:1])), len(set(first_rounds[1:3])), len(set(first_rounds[3:7]))] == [1, 2, 4]


async def test_a_lane_keeps_taking_full_batches_within_its_budget(shop: Shop) -> None:
    for n in range(5):
        await shop.order(f"200000{n}", "order.confirmed")
    options = LaneOptions(shop.fake.url, 2.0, batch=2, width=8, budget=30.0)

    assert await run_lane(shop.db, shop.cipher, shop.http, options, shop.business_id) == Counter(delivered=5)
    assert await run_lane(shop.db, shop.cipher, shop.http, replace(options, budget=0.0), shop.business_id) == Counter()
