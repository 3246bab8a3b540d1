"""The drain protocol on its own: a fake ML client (documents of a mapping fixture, every call counted), the real
store (SQLite and PostgreSQL) and real Redis. What the webhook asks for (`request_drains`), what one drain takes,
fetches and closes, and what it leaves for the next one."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlmodel import select

from connectors.errors import RemoteNotFound, TransientError
from connectors.mercadolibre.client import MlClient, Seller
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping import MappingOptions
from tests.conftest import _truncate
from tests.harness.store import set_account_status
from tests.mapping.fixtures import fixture
from worker import redis_keys
from worker.context import AppContext, build_context, close_context
from worker.jobs.deps import pipeline_rules
from worker.pipeline.drain import drain_seller
from worker.pipeline.locks import held_lock
from worker.pipeline.parts import Pipeline
from worker.pipeline.queue import DRAIN_SELLER, request_drains
from worker.settings import Settings
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.inbox import NewNotification, record_notifications
from worker.store.inbox_batch import sellers_waiting, take_batch
from worker.store.models import AccountStatus, EventRow, InboxRow, InboxStatus

DOCUMENTS = fixture("shipped")["documents"]
ORDER, SHIPMENT, HISTORY = DOCUMENTS
ORDER_ID, SHIPMENT_ID, SELLER_ID = str(ORDER["id"]), str(SHIPMENT["id"]), int(ORDER["seller"]["id"])
SHIPPED_EVENTS = [f"ml:order:{ORDER_ID}:confirmed", f"ml:order:{ORDER_ID}:shipped"]


class FakeMl:
    """The client methods the pipeline calls, answering from a few documents; `failing` paths raise."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {
            f"/orders/{ORDER_ID}": ORDER,
            f"/shipments/{SHIPMENT_ID}": SHIPMENT,
            f"/shipments/{SHIPMENT_ID}/history": HISTORY,
            f"/shipments/{SHIPMENT_ID}/items": [{"order_id": ORDER["id"]}],
            f"/post-purchase/v1/claims/search?order_id={ORDER_ID}": {"paging": {"total": 0}, "data": []},
        }
        self.calls: Counter[str] = Counter()
        self.failing: set[str] = set()

    async def _get(self, seller: Seller, path: str) -> Any:
        assert seller.seller_id == SELLER_ID
        self.calls[path] += 1
        if path in self.failing:
            raise TransientError(f"GET {path}: 503", status=503)
        if path not in self.documents:
            raise RemoteNotFound(f"GET {path}: 404", status=404)
        return self.documents[path]

    async def order(self, seller: Seller, order_id: str) -> Any:
        return await self._get(seller, f"/orders/{order_id}")

    async def shipment(self, seller: Seller, shipment_id: str) -> Any:
        return await self._get(seller, f"/shipments/{shipment_id}")

    async def shipment_history(self, seller: Seller, shipment_id: str) -> Any:
        return await self._get(seller, f"/shipments/{shipment_id}/history")

    async def shipment_items(self, seller: Seller, shipment_id: str) -> Any:
        return await self._get(seller, f"/shipments/{shipment_id}/items")

    async def claims_of_order(self, seller: Seller, order_id: str) -> Any:
        return await self._get(seller, f"/post-purchase/v1/claims/search?order_id={order_id}")

    async def payment(self, seller: Seller, payment_id: str) -> Any:
        return await self._get(seller, f"/v1/payments/{payment_id}")

    async def claim(self, seller: Seller, claim_id: str) -> Any:
        return await self._get(seller, f"/post-purchase/v1/claims/{claim_id}")


@dataclass
class Drains:
    app: AppContext
    pipeline: Pipeline
    ml: FakeMl
    account_id: int
    business_id: int

    async def notify(self, kind: Kind, resource_id: str, times: int = 1) -> list[int]:
        topic, path = {Kind.ORDER: ("orders_v2", "/orders"), Kind.SHIPMENT: ("shipments", "/shipments")}[kind]
        resource = f"{path}/{resource_id}"
        body = {"topic": topic, "resource": resource, "user_id": SELLER_ID}
        return await record_notifications(self.app.db, [
            NewNotification(
                topic, resource, SELLER_ID, body, InboxStatus.PENDING, account_id=self.account_id, kind=kind.value,
                resource_id=resource_id,
            )
            for _ in range(times)
        ])  # fmt: skip

    async def rows(self) -> list[InboxRow]:
        async with self.app.db.transaction() as session:
            return list((await session.exec(select(InboxRow).order_by(InboxRow.id))).all())  # type: ignore[arg-type]

    async def event_keys(self) -> list[str]:
        async with self.app.db.transaction() as session:
            events = (await session.exec(select(EventRow).order_by(EventRow.id))).all()  # type: ignore[arg-type]
        return [event.dedupe_key for event in events]

    async def queued_drains(self) -> list[tuple[int, float]]:
        """(account id, seconds until it may start) per drain job waiting in arq's queue."""
        now = time.time() * 1000
        jobs = await self.app.redis.queued_jobs()
        return sorted((job.args[0], ((job.score or 0) - now) / 1000) for job in jobs if job.function == DRAIN_SELLER)


@pytest.fixture(params=["sqlite", "postgresql"])
async def drains(
    request: pytest.FixtureRequest, settings: Settings, migrated_urls: dict[str, str]
) -> AsyncIterator[Drains]:
    app = build_context(settings.model_copy(update={"database_url": migrated_urls[request.param]}))
    await _truncate(app.db)
    business, _ = await create_business(app.db, "Tienda", "AR")
    assert business.id is not None
    tokens = TokenSet("APP_USR-access", "TG-refresh", datetime.now(UTC) + timedelta(hours=6), "offline_access read")
    account = await link_account(
        app.db, app.cipher, business_id=business.id, seller_id=SELLER_ID, site_id="MLA", nickname="TIENDA",
        tokens=tokens,
    )  # fmt: skip
    assert account.id is not None
    ml = FakeMl()
    pipeline = Pipeline(app.db, app.redis, cast(MlClient, ml), MappingOptions(), app.metrics, pipeline_rules(settings))
    try:
        yield Drains(app, pipeline, ml, account.id, business.id)
    finally:
        await app.redis.flushdb()
        await close_context(app)


async def test_one_drain_fetches_each_order_once_however_many_rows_name_it(drains: Drains) -> None:
    await drains.notify(Kind.ORDER, ORDER_ID, times=5)
    await drains.notify(Kind.SHIPMENT, SHIPMENT_ID, times=3)

    report = await drain_seller(drains.pipeline, drains.account_id)

    assert (report.busy, report.batches, report.rows, report.outcomes) == (False, 1, 8, {"done": 8})
    assert drains.ml.calls == {
        f"/orders/{ORDER_ID}": 1,
        f"/shipments/{SHIPMENT_ID}": 1,
        f"/shipments/{SHIPMENT_ID}/history": 1,
        f"/shipments/{SHIPMENT_ID}/items": 1,
    }  # no claims search: claims come with their own notifications
    assert [(row.status, row.attempts, row.taken_by) for row in await drains.rows()] == [("done", 1, None)] * 8
    assert await drains.event_keys() == SHIPPED_EVENTS
    assert await drains.queued_drains() == []


async def test_a_drain_that_finds_the_seller_drained_already_touches_nothing(drains: Drains) -> None:
    await drains.notify(Kind.ORDER, ORDER_ID)
    key = redis_keys.drain_lock(drains.pipeline.rules.queue_name, drains.account_id)

    async with held_lock(drains.app.redis, key, 15) as lock:
        assert lock is not None
        report = await drain_seller(drains.pipeline, drains.account_id)

    assert (report.busy, report.rows) == (True, 0)
    assert drains.ml.calls == {}
    assert [(row.status, row.attempts) for row in await drains.rows()] == [("pending", 0)]


async def test_requests_join_a_set_flag_and_ask_again_once_the_drain_has_cleared_it(drains: Drains) -> None:
    assert await request_drains(drains.app.redis, [drains.account_id, drains.account_id]) == 1
    assert await request_drains(drains.app.redis, [drains.account_id]) == 0  # the drain asked for is coming
    await drains.notify(Kind.ORDER, ORDER_ID)

    await drain_seller(drains.pipeline, drains.account_id)
    await drains.notify(Kind.ORDER, ORDER_ID)  # committed after the drain's last look

    assert await request_drains(drains.app.redis, [drains.account_id]) == 1
    assert [account for account, _ in await drains.queued_drains()] == [drains.account_id, drains.account_id]


async def test_a_failing_fetch_puts_rows_back_until_due_and_queues_one_deferred_follow_up(drains: Drains) -> None:
    drains.ml.failing.add(f"/orders/{ORDER_ID}")
    await drains.notify(Kind.ORDER, ORDER_ID, times=2)

    report = await drain_seller(drains.pipeline, drains.account_id)
    again = await drain_seller(drains.pipeline, drains.account_id)  # nothing is due yet

    assert (report.rows, report.outcomes, again.rows) == (2, {"pending": 2}, 0)
    rows = await drains.rows()
    assert [(row.status, row.attempts, row.taken_by) for row in rows] == [("pending", 1, None)] * 2
    due = [row.due_at.replace(tzinfo=UTC) - datetime.now(UTC) for row in rows if row.due_at is not None]
    assert len(due) == 2 and all(timedelta(0) < wait <= timedelta(seconds=60) for wait in due)
    queued = await drains.queued_drains()
    assert [account for account, _ in queued] == [drains.account_id]
    assert 0 < queued[0][1] <= 60  # deferred until the rows are due
    assert drains.ml.calls == {f"/orders/{ORDER_ID}": 1}
    assert await drains.event_keys() == []


async def test_rows_a_dead_drain_had_taken_are_worked_by_the_next_one(drains: Drains) -> None:
    await drains.notify(Kind.ORDER, ORDER_ID, times=2)
    taken = await take_batch(drains.app.db, drains.account_id, "dead-drain", 10)
    held = [row.taken_by for row in await drains.rows()]

    report = await drain_seller(drains.pipeline, drains.account_id)

    assert len(taken) == 2 and held == ["dead-drain"] * 2
    assert (report.rows, report.outcomes) == (2, {"done": 2})
    assert drains.ml.calls[f"/orders/{ORDER_ID}"] == 1
    assert await drains.event_keys() == SHIPPED_EVENTS


async def test_the_sweeper_finds_a_seller_whose_drain_was_lost(drains: Drains) -> None:
    await drains.notify(Kind.ORDER, ORDER_ID)

    waiting = await sellers_waiting(drains.app.db, older_than=timedelta(0))
    await drain_seller(drains.pipeline, drains.account_id)

    assert waiting == [drains.account_id]
    assert await sellers_waiting(drains.app.db, older_than=timedelta(0)) == []


async def test_a_seller_who_must_reconnect_has_its_rows_parked_unfetched(drains: Drains) -> None:
    await drains.notify(Kind.ORDER, ORDER_ID, times=2)
    await set_account_status(drains.app.db, drains.account_id, AccountStatus.NEEDS_REAUTH)

    report = await drain_seller(drains.pipeline, drains.account_id)

    assert report.outcomes == {"parked": 2}
    assert drains.ml.calls == {}
    assert [(row.status, row.reason) for row in await drains.rows()] == [("parked", "seller is needs_reauth")] * 2
