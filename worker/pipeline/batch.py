"""One batch of a seller's inbox rows: every notified resource resolved to its orders, every order fetched and
mapped once however many rows name it, everything stored in one transaction, every row closed in one statement.

Rows naming the same resource form a group. A group's outcome is that of its resolution, else the worst among
its orders' syncs (worker/pipeline/reactions.py): done (with the mapping's notes), retried later, parked,
failed or ignored. The failed ML calls a group caused count against its rows' attempt budget.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from connectors.errors import MeliError, PermanentError, RemoteNotFound, TransientError
from connectors.events import Origin
from connectors.http import ATTEMPTS, AttemptBudget
from connectors.mercadolibre.constants import Kind
from worker.pipeline.parts import Pipeline
from worker.pipeline.reactions import SEVERITY, reaction_to
from worker.pipeline.resolve import Resolved, orders_for
from worker.pipeline.sync import (
    Fetched,
    Known,
    SyncTarget,
    fetch_and_map,
    notified_claims_only,
    order_write,
    report_of,
)
from worker.store.inbox_batch import TakenRow
from worker.store.profiles import order_references_for_shipments
from worker.store.refetch import record_gap
from worker.store.synced import write_orders

T = TypeVar("T")


@dataclass
class Shared:
    """What overlapping batches of one drain share: the gate of their ML work, and one lock per order so an
    order is fetched by one batch at a time (the later batch fetches it again, after, for its later rows)."""

    gate: asyncio.Semaphore
    orders: dict[str, asyncio.Lock] = field(default_factory=dict)  # kept for the drain's life (seconds)

    def order_lock(self, order_id: str) -> asyncio.Lock:
        return self.orders.setdefault(order_id, asyncio.Lock())


@dataclass
class Group:
    """The rows of one notified resource, and what became of it."""

    kind: Kind
    resource_id: str
    rows: list[TakenRow]
    budget: int  # failed ML calls its rows may still cost
    resolved: Resolved | None = None
    error: MeliError | None = None  # of its resolution
    order_errors: list[MeliError] = field(default_factory=list)  # of its orders' syncs
    failed_calls: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def worst_error(self) -> MeliError | None:
        """What decides the rows' outcome: the resolution's error, else the worst of the orders' (by reaction)."""
        if self.error is not None:
            return self.error
        ranked = sorted(self.order_errors, key=lambda error: SEVERITY.index(reaction_to(error)))
        return ranked[-1] if ranked else None

    @property
    def origin(self) -> Origin:
        missed = all(row.origin == Origin.MISSED_FEED.value for row in self.rows)
        return Origin.MISSED_FEED if missed else Origin.LIVE


@dataclass
class OrderWork:
    """One order the batch syncs, and the groups that asked for it."""

    order_id: str
    groups: list[Group]
    fetched: Fetched | None = None
    error: MeliError | None = None
    added: Counter[str] = field(default_factory=Counter)  # events newly stored

    @property
    def origin(self) -> Origin:
        live = any(group.origin is Origin.LIVE for group in self.groups)
        return Origin.LIVE if live else Origin.MISSED_FEED

    @property
    def budget(self) -> int:
        return min(group.budget for group in self.groups)

    def known(self) -> Known:
        claims = tuple(claim for group in self.groups if group.resolved for claim in group.resolved.claims)
        docs = [group.resolved.order for group in self.groups if group.resolved and group.resolved.order is not None]
        return Known(order=docs[0] if docs else None, claims=notified_claims_only, extra_claims=claims)


def groups_of(rows: list[TakenRow], attempt_budget: int) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for row in rows:
        assert row.kind is not None and row.resource_id is not None
        key = (row.kind, row.resource_id)
        if key not in groups:
            groups[key] = Group(Kind(row.kind), row.resource_id, [], attempt_budget)
        group = groups[key]
        group.rows.append(row)
        group.budget = min(group.budget, attempt_budget - row.ml_failures)
    return list(groups.values())


@contextmanager
def spending(remaining: int) -> Any:
    """The failed-call budget of the calls made inside, read by the HTTP client's retry loop."""
    budget = AttemptBudget(remaining)
    token = ATTEMPTS.set(budget)
    try:
        yield budget
    finally:
        ATTEMPTS.reset(token)


async def _guarded(remaining: int, call: Callable[[], Awaitable[T]]) -> tuple[T | None, MeliError | None, int]:
    """(result, error, failed calls) of one unit of work under its budget."""
    if remaining <= 0:
        return None, TransientError("its attempt budget is spent"), 0
    with spending(remaining) as budget:
        try:
            return await call(), None, budget.spent
        except MeliError as error:
            return None, error, budget.spent


async def resolve(p: Pipeline, target: SyncTarget, groups: list[Group]) -> None:
    """Each group's orders. Shipments the store knows cost one query for the whole batch."""
    shipments = [group.resource_id for group in groups if group.kind is Kind.SHIPMENT]
    known = await order_references_for_shipments(p.db, target.business_id, shipments)

    async def one(group: Group) -> None:
        if group.kind is Kind.SHIPMENT and group.resource_id in known:
            group.resolved = Resolved(known[group.resource_id])
            return
        call = lambda: orders_for(p.db, p.client, target, group.kind, group.resource_id, stored=False)  # noqa: E731
        group.resolved, error, group.failed_calls = await _guarded(group.budget, call)
        if isinstance(error, RemoteNotFound | PermanentError) and group.kind is not Kind.ORDER:
            # A notified shipment, payment or claim ML does not show yet (it answers 404/403 for a while after
            # some changes): tried again later like a server error; it fails once the tries run out.
            group.error = TransientError(f"{error}; the notified {group.kind} is not readable yet")
            group.error.__cause__ = error
        else:
            group.error = error

    await asyncio.gather(*(one(group) for group in groups))


def order_works(groups: list[Group]) -> list[OrderWork]:
    works: dict[str, OrderWork] = {}
    for group in groups:
        if group.resolved is None:
            continue
        for order_id in group.resolved.order_ids:
            works.setdefault(order_id, OrderWork(order_id, [])).groups.append(group)
    return list(works.values())


async def fetch_orders(p: Pipeline, target: SyncTarget, works: list[OrderWork], shared: Shared) -> None:
    async def one(work: OrderWork) -> None:
        call = lambda: fetch_and_map(p.client, target.seller, work.order_id, p.options, work.known())  # noqa: E731
        async with shared.order_lock(work.order_id), shared.gate:
            work.fetched, work.error, failed = await _guarded(work.budget, call)
        for group in work.groups:
            group.failed_calls += failed

    await asyncio.gather(*(one(work) for work in works))


async def store(p: Pipeline, target: SyncTarget, works: list[OrderWork]) -> None:
    """Everything fetched, in one transaction; each group learns its new events and notes."""
    done = [work for work in works if work.fetched is not None]
    writes = [order_write(work.fetched, work.origin) for work in done if work.fetched is not None]
    added = await write_orders(p.db, target.business_id, target.seller.account_id, writes)
    for work, new in zip(done, added, strict=True):
        assert work.fetched is not None
        work.added = new
        report = report_of(work.order_id, work.fetched, new)
        if work.fetched.gaps:
            await record_gap(p.db, target.seller.account_id, work.order_id, work.fetched.gaps)
        for group in work.groups:
            group.problems += report.problems


def settle(works: list[OrderWork]) -> None:
    """Each group learns its orders' errors."""
    for work in works:
        if work.error is not None:
            for group in work.groups:
                group.order_errors.append(work.error)


async def work_groups(p: Pipeline, target: SyncTarget, groups: list[Group], shared: Shared) -> list[OrderWork]:
    """Resolve, fetch, store: the whole batch's ML calls and writes. Raises Unavailable (database, Redis)."""
    await resolve(p, target, [group for group in groups if group.budget > 0 or group.kind is Kind.ORDER])
    for group in groups:
        if group.resolved is None and group.error is None:
            group.error = TransientError("its attempt budget is spent")
    works = order_works(groups)
    await fetch_orders(p, target, works, shared)
    await store(p, target, works)
    settle(works)
    return works
