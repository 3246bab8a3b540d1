"""Helpers for the backfill tests: a sandbox whose simulated "now" is the wall clock's, and settings that let
the bulk lane run at test speed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from tests.pipeline.harness import World
from worker.settings import Settings
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.db import Database
from worker.store.models import BackfillRun, BackfillWindow


def sandbox_start(hours_ago: float = 1.0) -> str:
    """A sandbox start close to the wall clock, so history and live activity fall in the backfill's range."""
    moment = datetime.now(UTC) - timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def bulk_settings(settings: Settings, **changes: Any) -> Settings:
    fast = {
        "backfill_offset_cap": 100,
        "backfill_seller_rate": 1000.0,
        "backfill_slice_seconds": 2.0,
        "backfill_concurrency": 8,
        "bulk_max_jobs": 2,
        "reconcile_every_minutes": 0,
        "missed_feeds_every_minutes": 0,
    }
    return settings.model_copy(update=fast | changes)


async def runs_of(db: Database, account_id: int) -> list[BackfillRun]:
    statement = select(BackfillRun).where(col(BackfillRun.account_id) == account_id).order_by(col(BackfillRun.id))
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def windows_of(db: Database, run_id: int) -> list[BackfillWindow]:
    statement = select(BackfillWindow).where(col(BackfillWindow.backfill_id) == run_id).order_by(col(BackfillWindow.id))
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def processed(db: Database, account_id: int) -> int:
    return sum(run.orders_done + run.orders_failed for run in await runs_of(db, account_id))


async def started(world: World, account_id: int) -> bool:
    return await processed(world.context.db, account_id) > 0


async def wait_until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def connect_with_key(world: World, seller_id: int, site_id: str) -> tuple[int, int, str]:
    """Like `world.connect`, keeping the business API key: (business id, account id, api key)."""
    business, api_key = await create_business(world.context.db, f"Tienda {seller_id}", "CO")
    assert business.id is not None
    pair = await world.control("POST", f"/_sandbox/sellers/{seller_id}/tokens")
    tokens = TokenSet(pair["access_token"], pair["refresh_token"], datetime.now(UTC) + timedelta(hours=6), "")
    account = await link_account(
        world.context.db, world.context.cipher, business_id=business.id, seller_id=seller_id, site_id=site_id,
        nickname=f"SELLER{seller_id}", tokens=tokens,
    )  # fmt: skip
    assert account.id is not None
    return business.id, account.id, api_key
