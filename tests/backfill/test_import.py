"""The initial import end to end: sandbox history → search windows → the one fetch-and-map path → event store,
and its progress as the business API shows it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sandboxes.mercadolibre import SandboxConfig
from tests.backfill.conftest import bulk_settings, connect_with_key, runs_of, sandbox_start, windows_of
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.backfill.service import enqueue_backfill, on_account_connected, request_backfill
from worker.context import backfill_plan
from worker.settings import Settings
from worker.store.accounts import get_account
from worker.store.events import read_events
from worker.support.queries import orders_fetched_since

HISTORY = SandboxConfig(
    seed=5, sellers=1, orders=0, historical_orders=300, history_days=200, start=sandbox_start(), search_offset_cap=100
)


async def api(world: World, account_id: int, key: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    url = f"{world.web_url}/api/v1/accounts/{account_id}/backfill"
    async with world.http.get(url, headers=headers) as response:
        return response.status, await response.json()


async def test_initial_import_equals_the_oracle_and_a_second_import_adds_nothing(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings), HISTORY) as world:
        (seller,) = await world.sellers()
        business_id, account_id, _ = await connect_with_key(world, seller["id"], seller["site_id"])

        created = await on_account_connected(
            world.context.db, world.context.redis, backfill_plan(world.settings), account_id
        )
        await world.run_worker()

        expected = oracle_view(await world.expected(seller["id"]))
        assert await world.stored(business_id) == expected
        runs = await runs_of(world.context.db, account_id)
        assert [(run.phase, run.status) for run in runs] == [("recent", "done"), ("history", "done")]
        assert [run.id for run in created] == [run.id for run in runs]
        assert runs[0].since == runs[1].until == runs[0].until - timedelta(days=90)
        orders = len(
            await orders_fetched_since(world.context.db, account_id, None)
        )  # packs and splits: more orders than purchases
        assert orders > 300 and sum(run.orders_done for run in runs) == orders
        assert [(run.orders_found, run.orders_failed) for run in runs] == [(run.orders_done, 0) for run in runs]
        history = await windows_of(world.context.db, runs[1].id or 0)
        assert Counter(window.status for window in history)["split"] >= 1  # 100-order offset cap
        assert all(window.total is not None and window.total <= 100 for window in history if window.status == "done")
        views = await read_events(world.context.db, business_id=business_id, limit=10_000)
        assert {(view.origin, view.properties.get("historical")) for view in views} == {("backfill", True)}

        account = await get_account(world.context.db, account_id)
        assert account is not None
        again = await request_backfill(
            world.context.db, backfill_plan(world.settings), account, runs[0].since, runs[0].until
        )
        await enqueue_backfill(world.context.db, world.context.redis, account_id)
        await world.run_worker()
        (manual,) = [run for run in await runs_of(world.context.db, account_id) if run.phase == "manual"]
        assert again.created and (manual.status, manual.events_added) == ("done", 0)
        assert manual.orders_done == runs[0].orders_done
        assert await world.stored(business_id) == expected


async def test_progress_json_for_the_business_api(settings: Settings) -> None:
    config = SandboxConfig(seed=6, sellers=2, orders=0, historical_orders=30, history_days=150, start=sandbox_start())
    async with offline_world(bulk_settings(settings), config) as world:
        first, second = await world.sellers()
        _, account_id, key = await connect_with_key(world, first["id"], first["site_id"])
        _, other_id, _ = await connect_with_key(world, second["id"], second["site_id"])
        before = await api(world, account_id, key)
        await on_account_connected(world.context.db, world.context.redis, backfill_plan(world.settings), account_id)
        await world.run_worker()

        status, body = await api(world, account_id, key)

        assert before[0] == 200 and (before[1]["status"], before[1]["runs"]) == ("none", [])
        assert (await api(world, account_id, None))[0] == 401
        assert (await api(world, other_id, key))[0] == 404
        runs = await runs_of(world.context.db, account_id)
        events = sum(run.events_added for run in runs)
        assert (status, body["status"], body["seller_id"]) == (200, "done", first["id"])
        assert [(r["phase"], r["status"], r["orders_processed"]) for r in body["runs"]] == [
            (run.phase, "done", run.orders_done) for run in runs
        ]
        recent = body["runs"][0]
        assert recent["orders_found"] == recent["orders_processed"] and recent["eta_seconds"] == 0.0
        assert recent["api_calls_per_order"] == round(runs[0].api_calls / runs[0].orders_done, 2)
        assert recent["windows"] == {"pending": 0, "done": 1, "split": 0}
        assert body["coverage"] == {
            "events_by_origin": {"backfill": events},
            "historical_events": events,
            "notifications_by_origin": {},
        }


async def test_where_the_search_hides_cancelled_orders_a_cancelled_pass_finds_them(settings: Settings) -> None:
    config = SandboxConfig(
        seed=7, sellers=1, orders=0, historical_orders=60, history_days=100, start=sandbox_start(),
        search_hide_cancelled=True,
    )  # fmt: skip
    async with offline_world(bulk_settings(settings, backfill_search_cancelled=True), config) as world:
        (seller,) = await world.sellers()
        business_id, account_id = await world.connect(seller["id"], seller["site_id"])
        await on_account_connected(world.context.db, world.context.redis, backfill_plan(world.settings), account_id)
        await world.run_worker()

        expected = oracle_view(await world.expected(seller["id"]))
        assert "order.cancelled" in {event["action"] for event in expected}
        assert await world.stored(business_id) == expected
        (recent,) = [run for run in await runs_of(world.context.db, account_id) if run.phase == "recent"]
        roots = [window for window in await windows_of(world.context.db, recent.id or 0) if window.parent_id is None]
        assert [window.status_filter for window in roots] == [None, "cancelled"]
