"""Each answer of Hellotext does what delivery promises: refusals go to review, a 401 waits for a new token,
a 429 waits as asked, and a lost answer is reconciled before anything is sent twice."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from connectors.hellotext.client import HellotextClient
from sandboxes.hellotext.faults import Fault, ScriptedFault
from tests.delivery.conftest import T0, Shop
from worker.clock import utcnow
from worker.delivery.lane import Lane, LaneOptions, run_lane
from worker.delivery.records import Records
from worker.store.deliveries import due_work
from worker.store.hellotext import load_config, save_token

LATER = datetime.now(UTC) + timedelta(hours=5)


def script(shop: Shop, fault: Fault, path: str) -> None:
    shop.fake.faults.script.append(ScriptedFault(fault, path=path))


async def test_a_refused_event_goes_to_review_with_hellotext_s_explanation(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    await shop.run()
    shop.fake.state.accounts[shop.token].profiles.clear()  # someone deleted the profile we saved the id of
    await shop.order("2000002", "order.confirmed")
    assert await shop.run() == Counter(review=1)
    assert (await shop.deliveries())[1] == (
        "order.confirmed", "review", 1, 422, "track event: refused (422): invalid: profile not found (profile)"
    )  # fmt: skip
    assert len(shop.sent()) == 1


async def test_a_401_pauses_the_business_until_its_token_is_replaced(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped")
    shop.fake.state.revoke(shop.token)
    assert await shop.run() == Counter(waiting=1)
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None and config.status == "hellotext_auth_failed"
    assert await shop.run() == Counter()  # waits: nothing is sent with a token known to be bad

    shop.fake.state.add_account("ht_new_token", "Tienda Uno")
    await save_token(shop.db, shop.cipher, shop.business_id, "ht_new_token")
    shop.token = "ht_new_token"
    assert await shop.run() == Counter(delivered=2)
    assert [row[:3] for row in await shop.deliveries()] == [("order.confirmed", "delivered", 1),
                                                           ("order.shipped", "delivered", 1)]  # fmt: skip


async def test_a_429_makes_the_lane_wait_as_long_as_asked(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    shop.fake.faults.retry_after = 120
    script(shop, Fault.RATE_LIMITED, "/v1/attribution/events")
    assert await shop.run() == Counter(waiting=1)
    assert await shop.run() == Counter()  # within the 120 s
    assert await shop.run(at=datetime.now(UTC) + timedelta(seconds=121)) == Counter(delivered=1)
    assert len(shop.sent()) == 1


async def test_a_lost_order_create_is_found_by_reference_not_created_again(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    script(shop, Fault.LOST, "/v1/attribution/orders")
    assert await shop.run() == Counter(waiting=1)
    assert await shop.run(at=LATER) == Counter(delivered=1)
    assert len(shop.fake.oracle()["orders"]) == 1
    assert len(shop.sent()) == 1


async def test_a_lost_profile_create_is_found_by_the_buyer_property(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    script(shop, Fault.LOST, "/v1/profiles")
    await shop.run()
    assert await shop.run(at=LATER) == Counter(delivered=1)
    assert len(shop.fake.oracle()["profiles"]) == 1


async def test_a_lost_answer_to_an_order_event_is_sent_again_and_hellotext_keeps_one(shop: Shop) -> None:
    await shop.order("2000001", "order.shipped")
    script(shop, Fault.LOST, "/v1/attribution/events")
    assert await shop.run() == Counter(waiting=1)
    assert await shop.run(at=LATER) == Counter(delivered=1)
    assert len(shop.sent()) == 1
    assert shop.fake.oracle()["track_requests"] == 2


async def test_a_lost_answer_to_a_refund_goes_to_review_rather_than_risk_a_second_refund(shop: Shop) -> None:
    await shop.order("2000001", "refund.requested")
    script(shop, Fault.LOST, "/v1/attribution/events")
    await shop.run()
    assert await shop.run(at=LATER) == Counter(review=1)
    status, reason = (await shop.deliveries())[0][1], (await shop.deliveries())[0][4]
    assert status == "review" and reason.startswith("an earlier send's answer was lost")
    assert len(shop.sent()) == 1


async def test_failures_for_a_day_end_in_review(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    shop.fake.faults.rate_5xx = 1.0
    assert await shop.run() == Counter(waiting=1)
    assert await shop.run(at=datetime.now(UTC) + timedelta(hours=25)) == Counter(review=1)
    assert (await shop.deliveries())[0][:4] == ("order.confirmed", "review", 2, 500)


async def test_a_failing_order_waits_and_its_later_events_do_not_overtake_it(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped")
    script(shop, Fault.SERVER_ERROR, "/v1/attribution/events")
    assert await shop.run() == Counter(waiting=1)
    assert await shop.run() == Counter()  # the confirmation waits, so does the shipment
    assert await shop.run(at=LATER) == Counter(delivered=2)
    assert [sent[0] for sent in shop.sent()] == ["order.confirmed", "order.shipped"]


async def test_a_profile_hellotext_has_but_we_lost_the_id_of_is_found_not_duplicated(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    await shop.run()
    async with shop.db.connect() as conn:
        await conn.execute(text("DELETE FROM hellotext_ref WHERE kind = 'profile'"))
    await shop.order("2000002", "order.confirmed")
    assert await shop.run() == Counter(delivered=1)  # the unique buyer property refused a second profile
    assert len(shop.fake.oracle()["profiles"]) == 1
    assert len({sent[1] for sent in shop.sent()}) == 1


class Longest(random.Random):
    """Backoff waits as long as it may (30 s after a first failure), so the lane's 5 s rest ends first."""

    def uniform(self, a: float, b: float) -> float:
        return b


def runner(shop: Shop) -> Callable[[datetime], Awaitable[Counter[str]]]:
    options = LaneOptions(shop.fake.url, 2.0, 100)

    def run(at: datetime) -> Awaitable[Counter[str]]:
        return run_lane(shop.db, shop.cipher, shop.http, options, shop.business_id, rng=Longest(), clock=lambda: at)

    return run


async def test_when_hellotext_answers_after_a_rest_what_failed_once_goes_at_once_in_order(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped", at=T0)
    await shop.order("2000002", "order.confirmed", at=T0 + timedelta(hours=1))
    script(shop, Fault.SERVER_ERROR, "/v1/attribution/events")
    run, now = runner(shop), datetime.now(UTC)

    assert await run(now) == Counter(waiting=1)
    assert await run(now + timedelta(seconds=4)) == Counter()  # the lane rests 5 s
    assert await run(now + timedelta(seconds=6)) == Counter(delivered=3)  # 2000001 waited 30 s: woken
    assert [sent[0] for sent in shop.sent()] == ["order.confirmed", "order.confirmed", "order.shipped"]


async def test_what_failed_again_and_again_during_a_long_outage_goes_at_once_when_it_ends(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped", at=T0)
    await shop.order("2000002", "order.confirmed", at=T0 + timedelta(hours=1))
    for _ in range(2):
        script(shop, Fault.SERVER_ERROR, "/v1/attribution/events")
    run, now = runner(shop), datetime.now(UTC)

    assert await run(now) == Counter(waiting=1)  # 2000001's first event fails: backoff 30 s, the lane rests
    assert await run(now + timedelta(seconds=31)) == Counter(waiting=1)  # and again: backoff 60 s more
    assert (await shop.deliveries())[0][:3] == ("order.confirmed", "pending", 2)
    assert await run(now + timedelta(seconds=37)) == Counter(delivered=3)  # 2000002 got through: all woken
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None and (config.retry_at, config.resting_since) == (None, None)
    assert [sent[0] for sent in shop.sent()] == ["order.confirmed", "order.confirmed", "order.shipped"]


async def test_a_delivery_that_failed_before_an_outage_keeps_its_backoff_when_the_outage_ends(shop: Shop) -> None:
    for reference in ("2000001", "2000002", "2000003"):
        await shop.order(reference, "order.confirmed", at=T0 + timedelta(hours=int(reference[-1])))
    script(shop, Fault.LOST, "/v1/attribution/events")  # 2000001 alone: no rest, a backoff of its own
    run, now = runner(shop), datetime.now(UTC)
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None
    client = HellotextClient(shop.http, shop.token, base_url=shop.fake.url, timeout=2.0)
    lane = Lane(shop.db, config, Records(shop.db, shop.business_id, client), Longest(), lambda: now, width=4)
    assert await lane.run(await due_work(shop.db, shop.business_id, now, 100)) == Counter(delivered=2, waiting=1)

    await shop.order("2000004", "order.confirmed", at=T0 + timedelta(hours=4))
    script(shop, Fault.SERVER_ERROR, "/v1/attribution/events")
    assert await run(now + timedelta(seconds=1)) == Counter(waiting=1)  # 2000004 fails alone: the lane rests
    await shop.order("2000005", "order.confirmed", at=T0 + timedelta(hours=5))
    assert await run(now + timedelta(seconds=7)) == Counter(delivered=2)  # 2000005, then 2000004 woken

    first = (await shop.deliveries())[0]
    assert first[:3] == ("order.confirmed", "pending", 1)  # 2000001 waits out its 30 s
    assert await run(now + timedelta(seconds=31)) == Counter(delivered=1)


async def test_a_lost_answer_among_received_ones_holds_only_its_order_and_the_lane_goes_on(shop: Shop) -> None:
    for reference in ("2000001", "2000002", "2000003"):
        await shop.order(reference, "order.confirmed", "order.shipped")
    script(shop, Fault.LOST, "/v1/attribution/events")  # one of the round's three first events
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None
    client = HellotextClient(shop.http, shop.token, base_url=shop.fake.url, timeout=2.0)
    lane = Lane(shop.db, config, Records(shop.db, shop.business_id, client), random.Random(7), utcnow, width=4)

    done = await lane.run(await due_work(shop.db, shop.business_id, utcnow(), 100))

    assert done == Counter(delivered=4, waiting=1)  # two whole orders; the third waits after its first event
    assert not lane.stopped
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None and config.retry_at is None  # the lane does not rest
    assert sorted(sent[0] for sent in shop.sent()) == ["order.confirmed"] * 3 + ["order.shipped"] * 2
