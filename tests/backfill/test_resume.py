"""Checkpoints: an interrupted backfill resumes where it stopped; a second backfill joins the open one; a
revoked seller parks the backfill until it reconnects."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest

from sandboxes.mercadolibre import SandboxConfig
from tests.backfill.conftest import bulk_settings, processed, runs_of, sandbox_start, wait_until
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.backfill.service import on_account_connected, request_backfill
from worker.context import backfill_plan
from worker.demo.sellers import granted_tokens
from worker.errors import Conflict
from worker.settings import Settings
from worker.store.accounts import get_account, link_account
from worker.support.queries import orders_fetched_since


def history(seed: int, orders: int = 120) -> SandboxConfig:
    return SandboxConfig(
        seed=seed, sellers=1, orders=0, historical_orders=orders, history_days=150, start=sandbox_start(),
        search_offset_cap=100,
    )  # fmt: skip


async def connected(world: World) -> tuple[int, int, int]:
    (seller,) = await world.sellers()
    business_id, account_id = await world.connect(seller["id"], seller["site_id"])
    await on_account_connected(world.context.db, world.context.redis, backfill_plan(world.settings), account_id)
    return seller["id"], business_id, account_id


async def interrupt_worker(world: World, account_id: int, after_orders: int) -> int:
    """Run the worker until `after_orders` orders are processed, then cancel it mid-slice."""
    worker = asyncio.create_task(world.run_worker())

    async def far_enough() -> bool:
        return await processed(world.context.db, account_id) >= after_orders

    await wait_until(far_enough)
    worker.cancel()
    with suppress(asyncio.CancelledError):
        await worker
    return await processed(world.context.db, account_id)


async def test_an_interrupted_backfill_resumes_and_ends_equal_without_duplicates(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings, backfill_slice_seconds=0.5), history(8)) as world:
        seller_id, business_id, account_id = await connected(world)

        before = await interrupt_worker(world, account_id, after_orders=30)
        await world.run_worker()  # the cancelled job is run again and carries the run on

        orders = len(await orders_fetched_since(world.context.db, account_id, None))
        assert 30 <= before < orders
        stored = await world.stored(business_id)
        assert stored == oracle_view(await world.expected(seller_id))
        assert len({event["dedupe_key"] for event in stored}) == len(stored)
        runs = await runs_of(world.context.db, account_id)
        assert [run.status for run in runs] == ["done", "done"]
        assert sum(run.orders_done for run in runs) == orders  # an interrupted page is counted once


async def test_a_second_backfill_joins_the_open_one_and_another_range_is_refused(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings), history(9, orders=20)) as world:
        _, _, account_id = await connected(world)
        account = await get_account(world.context.db, account_id)
        assert account is not None
        open_ids = [run.id for run in await runs_of(world.context.db, account_id)]

        joined = await request_backfill(world.context.db, backfill_plan(world.settings), account, None, None)
        again = await on_account_connected(
            world.context.db, world.context.redis, backfill_plan(world.settings), account_id
        )
        with pytest.raises(Conflict, match="already has a backfill in progress"):
            since = datetime.now(UTC) - timedelta(days=3)
            await request_backfill(world.context.db, backfill_plan(world.settings), account, since, None)

        assert (joined.created, [run.id for run in joined.runs], again) == (False, open_ids, [])
        assert [run.id for run in await runs_of(world.context.db, account_id)] == open_ids


async def reconnect(world: World, seller_id: int, business_id: int) -> int:
    tokens = granted_tokens(await world.control("POST", f"/_sandbox/sellers/{seller_id}/tokens"))
    account = await link_account(
        world.context.db, world.context.cipher, business_id=business_id, seller_id=seller_id, site_id="MCO",
        nickname="SELLER", tokens=tokens,
    )  # fmt: skip
    assert account.id is not None
    return account.id


async def test_a_revoked_seller_parks_the_backfill_which_resumes_after_reconnect(settings: Settings) -> None:
    async with offline_world(bulk_settings(settings, backfill_slice_seconds=0.5), history(10)) as world:
        seller_id, business_id, account_id = await connected(world)
        # Revoked before the worker's first call, so every run of the import is still open when it happens
        # (the interrupted-import test above covers stopping mid-run).
        await world.control("POST", f"/_sandbox/sellers/{seller_id}/revoke")
        await world.control("POST", "/_sandbox/tokens/expire")
        worker = asyncio.create_task(world.run_worker())
        await asyncio.wait_for(worker, 60)  # the chain stops: nothing is queued while parked

        account = await get_account(world.context.db, account_id)
        runs = await runs_of(world.context.db, account_id)
        assert account is not None and account.status == "needs_reauth"
        assert {run.status for run in runs} == {"parked"}
        assert all((run.reason or "").startswith("needs_reauth") for run in runs)

        assert await reconnect(world, seller_id, business_id) == account_id
        await on_account_connected(world.context.db, world.context.redis, backfill_plan(world.settings), account_id)
        await world.run_worker()

        assert [run.status for run in await runs_of(world.context.db, account_id)] == ["done", "done"]
        assert await world.stored(business_id) == oracle_view(await world.expected(seller_id))
