"""Parts the webhook needs beyond the context: the batching inbox writer, a short-lived seller cache, the
per-seller intake gate and the job queuer."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from worker.logs import get_logger
from worker.pipeline.queue import catchup_slot, enqueue_catchup, request_drains
from worker.store.accounts import get_account_by_seller
from worker.store.db import Database
from worker.store.inbox import NewNotification, pending_count
from worker.store.inbox_writer import InboxWriter, inbox_writer
from worker.store.models import AccountStatus
from worker.web.batching import BatchWriter
from worker.web.gate import IntakeGate

log = get_logger(__name__)


@dataclass(frozen=True)
class AccountInfo:
    id: int
    business_id: int
    status: str
    pending: int = 0  # its pending inbox rows when it was read (capped at the bound)


@dataclass
class AccountDirectory:
    """seller id → account, cached for a few seconds (misses too) so a burst costs one query per seller.

    After `ttl` a connected seller's entry is refreshed in the background while requests go on with the last
    answer: a request that waited would wait for the seller's pending count, whose cost grows with its backlog
    (up to `pending_cap` rows), and every request of that seller in flight would wait with it. An unknown or
    disconnected seller's entry (no count to read) is read again before answering, so a seller who just
    connected is not taken for unknown once more. Concurrent loads of one seller share a single query.
    """

    db: Database
    pending_cap: int = 1000
    ttl: float = 2.0
    _cache: dict[int, tuple[float, AccountInfo | None]] = field(default_factory=dict)
    _loading: dict[int, asyncio.Task[AccountInfo | None]] = field(default_factory=dict)

    async def lookup(self, seller_id: int) -> AccountInfo | None:
        cached = self._cache.get(seller_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        if cached is not None and cached[1] is not None and cached[1].status != AccountStatus.DISCONNECTED:
            self._load_once(seller_id)  # in the background: this request goes on with the last answer
            return cached[1]
        return await asyncio.shield(self._load_once(seller_id))  # a cancelled request leaves the query be

    def _load_once(self, seller_id: int) -> asyncio.Task[AccountInfo | None]:
        task = self._loading.get(seller_id)
        if task is None:
            task = asyncio.create_task(self._load(seller_id))
            self._loading[seller_id] = task
            task.add_done_callback(lambda done: self._forget(seller_id, done))
        return task

    async def close(self) -> None:
        """Wait for the refreshes still running (at shutdown)."""
        await asyncio.gather(*self._loading.values(), return_exceptions=True)

    def _forget(self, seller_id: int, done: asyncio.Task[AccountInfo | None]) -> None:
        self._loading.pop(seller_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every waiter was cancelled

    async def _load(self, seller_id: int) -> AccountInfo | None:
        now = time.monotonic()
        account = await get_account_by_seller(self.db, seller_id)
        info = None
        if account is not None and account.id is not None:
            live = account.status != AccountStatus.DISCONNECTED
            pending = await pending_count(self.db, account.id, self.pending_cap) if live else 0
            info = AccountInfo(account.id, account.business_id, account.status, pending)
        if len(self._cache) > 10_000:  # bounded: a flood of unknown sellers cannot grow memory without limit
            self._cache.clear()
        self._cache[seller_id] = (now, info)
        return info


class JobQueuer:
    """Asks for the drains of committed rows' sellers in the background, many per Redis call (a seller whose
    drain is asked for already costs nothing more). A failure only delays them: the rows are in the inbox, and
    the worker's sweeper asks for what is still pending.

    The first row waits `linger` seconds for others: a Redis call costs the web process about the same CPU
    whatever it carries, so under load a short wait makes fewer and larger calls (figures in
    benchmarks/RESULTS.md)."""

    def __init__(
        self, redis: ArqRedis, max_batch: int = 500, linger: float = 0.005, catchup_interval: float = 1.0
    ) -> None:
        self._redis = redis
        self._max_batch = max_batch
        self._linger = linger
        self._catchup_interval = catchup_interval
        self._waiting: list[int] = []
        self._catchups: dict[int, int] = {}  # account → interval of the catch-up to queue for it
        self._catchup_sent: dict[int, int] = {}  # account → interval of the last catch-up queued
        self._running: asyncio.Task[None] | None = None

    def submit(self, account_id: int) -> None:
        """A committed pending row of this seller: ask for its drain (once per batch whatever the rows)."""
        self._waiting.append(account_id)
        self._wake()

    def submit_catchup(self, account_id: int) -> None:
        """A throttled row of this seller: make sure a catch-up starts after it arrived, queuing at most one per
        interval. The current interval's catch-up may have run already, so after it comes the next one's."""
        now = catchup_slot(self._catchup_interval)
        sent = self._catchup_sent.get(account_id, now - 1)
        if sent > now:  # the next interval's catch-up is queued: it starts after this row arrived
            return
        self._catchups[account_id] = self._catchup_sent[account_id] = now if sent < now else now + 1
        self._wake()

    def _wake(self) -> None:
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        await asyncio.sleep(self._linger)
        while self._waiting or self._catchups:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
            catchups, self._catchups = self._catchups, {}
            try:
                await request_drains(self._redis, batch)
                for account_id, slot in catchups.items():
                    await enqueue_catchup(self._redis, account_id, self._catchup_interval, slot)
            except (RedisError, OSError) as exc:  # the sweeper queues what is left
                log.warning("ml.webhook.enqueue_failed", rows=len(batch), error=type(exc).__name__)

    async def close(self) -> None:
        """Wait for the jobs submitted so far (at shutdown)."""
        if self._running is not None:
            await self._running


@dataclass
class Intake:
    writer: BatchWriter[NewNotification]  # inbox rows, one statement per batch
    jobs: JobQueuer  # their jobs, one Redis call per batch, not awaited by the request
    accounts: AccountDirectory
    inbox: InboxWriter
    gate: IntakeGate  # which notifications of a seller become a fetch, which are throttled

    async def close(self) -> None:
        """At shutdown: the batches being written, then the jobs of their rows."""
        await self.writer.close()
        await self.jobs.close()
        await self.inbox.close()
        await self.accounts.close()


@dataclass(frozen=True)
class IntakeOptions:
    catchup_interval_seconds: float
    max_pending_per_seller: int
    seller_rate: float  # notifications per second of a seller that become fetches
    seller_burst: int


def build_intake(db: Database, redis: ArqRedis, options: IntakeOptions, in_flight: int = 2) -> Intake:
    inbox = inbox_writer(db, connections=in_flight)
    return Intake(
        writer=BatchWriter(inbox.write, in_flight=in_flight),
        jobs=JobQueuer(redis, catchup_interval=options.catchup_interval_seconds),
        accounts=AccountDirectory(db, options.max_pending_per_seller), inbox=inbox,
        gate=IntakeGate(options.seller_rate, options.seller_burst, options.max_pending_per_seller),
    )  # fmt: skip
