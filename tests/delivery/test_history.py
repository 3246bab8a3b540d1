"""The history setting: events since the Hellotext connection are always sent; older ones as the business
chose (the last 90 days by default, all, or none)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.delivery.conftest import Shop
from worker.delivery.policy import in_history_window
from worker.store.hellotext import load_config, set_options


@pytest.mark.parametrize(
    ("history_days", "expected"),
    [(90, ["2000002", "2000003"]), (None, ["2000001", "2000002", "2000003"]), (0, ["2000003"])],
)
async def test_history_setting_decides_which_old_events_are_sent(
    shop: Shop, history_days: int | None, expected: list[str]
) -> None:
    assert await set_options(shop.db, shop.business_id, history_days=history_days)
    config = await load_config(shop.db, shop.cipher, shop.business_id)
    assert config is not None
    connected = config.connected_at
    await shop.order("2000001", "order.confirmed", at=connected - timedelta(days=200), origin="backfill")
    await shop.order("2000002", "order.confirmed", at=connected - timedelta(days=10), origin="backfill")
    await shop.order("2000003", "order.confirmed", at=connected + timedelta(seconds=5))
    done = await shop.run(at=datetime.now(UTC) + timedelta(minutes=1))
    assert done == Counter(delivered=len(expected), skipped=3 - len(expected))
    orders = {o["id"]: o["reference"] for o in shop.fake.oracle()["orders"]}
    assert sorted(orders[sent[2]] for sent in shop.sent()) == expected  # different orders go at once


def test_the_window_is_measured_from_the_connection() -> None:
    connected = datetime(2026, 12, 1, tzinfo=UTC)
    assert in_history_window(connected, connected, 0)
    assert in_history_window(connected - timedelta(days=90), connected, 90)
    assert not in_history_window(connected - timedelta(days=90, seconds=1), connected, 90)
