"""The bulk lane: how backfill and re-sync work stays behind live work.

* **Slots.** At most `MELI_BULK_MAX_JOBS` bulk jobs run at once over every worker process (Redis locks
  `{queue}:bulk:slot:N`), so live notification jobs always find free worker slots.
* **Slices.** A backfill job works for `MELI_BACKFILL_SLICE_SECONDS`, checkpoints and queues its
  continuation, so live jobs queued meanwhile run first (arq runs jobs in the order they were queued).
* **Budgets.** Bulk calls use the same Redis rate limiter as live calls (the same `app` and `seller:ID`
  buckets, at the same rates) with a burst tolerance of one request (`BULK_BURST`, just enough not to lose
  slots to polling delays): they take a slot only when the bucket is about idle, while live calls may run ten
  ahead, so a live fetch never queues behind an import. Per seller, bulk work also keeps to
  `MELI_BACKFILL_SELLER_RATE` requests per second in a bucket of its own (`bulk:seller:ID`), so one large
  import cannot starve other sellers. (Spending the shared seller bucket at the bulk rate instead would make
  each bulk call cost live traffic a whole bulk interval.)
* **Tokens.** Bulk calls read the seller's access token through a short cache (`TOKEN_CACHE_SECONDS`): an
  import makes thousands of calls with the same token, and each uncached read costs two database queries. A
  token refreshed or revoked meanwhile is answered 401, which goes to the provider as usual.
* **One runner per account.** A Redis lock `{queue}:backfill:ID:lock` with a short timeout (`LOCK_SECONDS`),
  renewed while its runner lives: a second runner for the account joins (returns) instead of doubling the
  work, and a killed runner's lock frees within seconds.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from arq.connections import ArqRedis
from redis.asyncio.lock import Lock

from connectors.mercadolibre.client import ClientLimits, MlClient
from connectors.mercadolibre.mapping import MappingOptions
from connectors.ratelimit import RateLimiter
from worker import redis_keys
from worker.backfill.claims import ClaimsIndex
from worker.metrics import Metrics
from worker.pipeline.locks import held_lock
from worker.store.db import Database
from worker.tokens import TokenProvider

LOCK_SECONDS = 15.0  # slot and runner locks: renewed while held, so a killed runner's locks free within this
TOKEN_CACHE_SECONDS = 30.0
BULK_BURST = 2  # live calls use 10: bulk calls get a slot only within one interval of an idle bucket


class QueuedLimiter(RateLimiter):
    """The shared Redis rate limiter, with the process's bulk callers of one bucket queued in line: only the
    head of the line polls Redis. Without it every waiting bulk call wakes up for every free slot (a herd of
    Redis round trips per request); live calls use their own limiter and are not queued here."""

    def __init__(self, redis: Any, prefix: str) -> None:
        super().__init__(redis, prefix)
        self._lines: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire_all(self, budgets: Sequence[tuple[str, float]], burst: int = 1) -> None:
        async with self._lines["|".join(key for key, _ in budgets)]:
            await super().acquire_all(budgets, burst)


class CachedTokens:
    """A `TokenSource` that remembers each account's access token for a few seconds."""

    def __init__(self, provider: TokenProvider, ttl: float = TOKEN_CACHE_SECONDS) -> None:
        self._provider = provider
        self._ttl = ttl
        self._tokens: dict[int, tuple[float, str]] = {}

    async def access_token(self, account_id: int) -> str:
        cached = self._tokens.get(account_id)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        token = await self._provider.access_token(account_id)
        self._tokens[account_id] = (time.monotonic(), token)
        return token

    async def refresh_after_rejection(self, account_id: int, rejected: str) -> str:
        self._tokens.pop(account_id, None)
        return await self._provider.refresh_after_rejection(account_id, rejected)


@dataclass(frozen=True)
class BulkConfig:
    """The settings bulk work reads (named as in worker/settings.py)."""

    queue_name: str
    ml_client_id: str
    rate_limit_prefix: str
    ml_api_base_url: str
    mp_api_base_url: str
    ml_app_rate: float
    ml_seller_rate: float
    ml_timeout_seconds: float
    backfill_seller_rate: float
    bulk_max_jobs: int
    backfill_slice_seconds: float
    backfill_concurrency: int
    backfill_offset_cap: int
    reconcile_lookback_hours: float


@dataclass
class Bulk:
    """What bulk work needs; built once per process by its composition root (the worker's startup, or the CLI)."""

    db: Database
    redis: ArqRedis
    config: BulkConfig
    options: MappingOptions
    http: aiohttp.ClientSession
    tokens: TokenProvider
    metrics: Metrics | None = None
    claims: dict[int, tuple[float, ClaimsIndex | None]] = field(default_factory=dict)  # run id → (at, index)
    _limiter: QueuedLimiter | None = None
    _tokens: CachedTokens | None = None

    def client(self) -> MlClient:
        """A bulk-lane client: shared session, tokens and rate-limit buckets; its own call counter."""
        settings = self.config
        if self._limiter is None or self._tokens is None:
            self._limiter, self._tokens = (
                QueuedLimiter(self.redis, settings.rate_limit_prefix),
                CachedTokens(self.tokens),
            )
        limits = ClientLimits(
            app_rate=settings.ml_app_rate, seller_rate=settings.ml_seller_rate, burst=BULK_BURST,
            timeout=settings.ml_timeout_seconds, lane="bulk", lane_seller_rate=settings.backfill_seller_rate,
        )  # fmt: skip
        observe = self.metrics.ml_request if self.metrics is not None else None
        return MlClient(
            self.http, settings.ml_api_base_url, self._tokens, self._limiter, limits, observe=observe,
            payments_base_url=settings.mp_api_base_url,
        )  # fmt: skip


@asynccontextmanager
async def bulk_slot(bulk: Bulk) -> AsyncIterator[Lock | None]:
    """One of the `bulk_max_jobs` slots, or None when all are taken (the job should retry later)."""
    slots = list(range(bulk.config.bulk_max_jobs))
    random.shuffle(slots)
    for number in slots:
        async with held_lock(bulk.redis, redis_keys.bulk_slot(bulk.config.queue_name, number), LOCK_SECONDS) as lock:
            if lock is not None:
                yield lock
                return
    yield None


def account_lock(bulk: Bulk, account_id: int) -> AbstractAsyncContextManager[Lock | None]:
    """The account's runner lock, or None when another runner holds it."""
    return held_lock(bulk.redis, redis_keys.backfill_lock(bulk.config.queue_name, account_id), LOCK_SECONDS)
