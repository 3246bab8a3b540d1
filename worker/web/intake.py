"""Parts the webhook needs beyond the context: the batching inbox writer and a short-lived seller cache."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    """seller id → account, cached for a few seconds (misses too) so a burst costs one query per seller."""

    db: Database
    ttl: float = 2.0
    _cache: dict[int, tuple[float, AccountInfo | None]] = field(default_factory=dict)

    async def lookup(self, seller_id: int) -> AccountInfo | None:
        now = time.monotonic()
        cached = self._cache.get(seller_id)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
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
    writer: BatchWriter[NewNotification]
    accounts: AccountDirectory


def build_intake(db: Database) -> Intake:
    async def flush(items: Sequence[NewNotification]) -> list[int]:
        return await record_notifications(db, items)

    return Intake(writer=BatchWriter(flush), accounts=AccountDirectory(db))
