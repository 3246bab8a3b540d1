"""Parts the webhook needs beyond the context: the batching inbox writer and a short-lived seller cache."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from arq.connections import ArqRedis

from worker.jobs.names import enqueue_notifications
from worker.store.accounts import get_account_by_seller
from worker.store.db import Database
from worker.store.inbox import NewNotification, record_notifications
from worker.web.batching import BatchWriter


@dataclass(frozen=True)
class AccountInfo:
    id: int
    business_id: int
    status: str


@dataclass
class AccountDirectory:
    """seller id → account, cached for a few seconds (misses too) so a burst costs one query per seller.

    Concurrent misses for one seller share a single query: when the entry expires under load, every request
    in flight would otherwise run its own (64 connections → 64 transactions at once, a p99 spike each `ttl`).
    """

    db: Database
    ttl: float = 2.0
    _cache: dict[int, tuple[float, AccountInfo | None]] = field(default_factory=dict)
    _loading: dict[int, asyncio.Task[AccountInfo | None]] = field(default_factory=dict)

    async def lookup(self, seller_id: int) -> AccountInfo | None:
        cached = self._cache.get(seller_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        task = self._loading.get(seller_id)
        if task is None:
            task = asyncio.create_task(self._load(seller_id))
            self._loading[seller_id] = task
            task.add_done_callback(lambda done: self._forget(seller_id, done))
        return await asyncio.shield(task)  # a cancelled request does not cancel the others' query

    def _forget(self, seller_id: int, done: asyncio.Task[AccountInfo | None]) -> None:
        self._loading.pop(seller_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every waiter was cancelled

    async def _load(self, seller_id: int) -> AccountInfo | None:
        now = time.monotonic()
        account = await get_account_by_seller(self.db, seller_id)
        info = (
            None
            if account is None or account.id is None
            else AccountInfo(account.id, account.business_id, account.status)
        )
        if len(self._cache) > 10_000:  # bounded: a flood of unknown sellers cannot grow memory without limit
            self._cache.clear()
        self._cache[seller_id] = (now, info)
        return info


@dataclass
class Intake:
    writer: BatchWriter[NewNotification]  # inbox rows, one transaction per batch
    enqueuer: BatchWriter[int]  # their jobs, one Redis call per batch
    accounts: AccountDirectory


def build_intake(db: Database, redis: ArqRedis) -> Intake:
    async def record(items: Sequence[NewNotification]) -> list[int]:
        return await record_notifications(db, items)

    async def enqueue(inbox_ids: Sequence[int]) -> list[int]:
        await enqueue_notifications(redis, inbox_ids)
        return list(inbox_ids)

    return Intake(writer=BatchWriter(record), enqueuer=BatchWriter(enqueue), accounts=AccountDirectory(db))
