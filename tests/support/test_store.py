"""explain and replay over a real event store (SQLite and PostgreSQL), data written through the store API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, delete, select

from tests.harness.store import linked_seller, save_documents
from tests.support.fixtures import fixture
from worker.errors import NotFoundError
from worker.store.db import Database
from worker.store.documents import RawDocument
from worker.store.inbox import NewNotification, record_notifications
from worker.store.models import EventRow, InboxStatus
from worker.support.replay import replay
from worker.support.story import explain_order, story_json

SELLER_ID = 987654321
SHIPPED = "2000009876543303"  # fixture shipped_with_opt_ins (default options: confirmed + shipped)
PENDING = "2000009876543301"  # fixture payment_pending
OTHER_ORDER_OF_PACK = "2000009876543399"


@dataclass(frozen=True)
class Shop:
    business_id: int
    account_id: int


async def _documents(db: Database, account_id: int, name: str, shipment_owner: str | None = None) -> None:
    data = fixture(name)
    order_id = data["order_id"]
    owner = {"shipment": shipment_owner or order_id}
    documents = [
        RawDocument(doc["kind"], doc["ref"], doc["raw"], owner.get(doc["kind"], order_id)) for doc in data["documents"]
    ]
    await save_documents(db, account_id, documents)


def _note(account_id: int, topic: str, kind: str, ref: str, path: str) -> NewNotification:
    return NewNotification(
        topic=topic, resource=path, user_id=SELLER_ID, body={}, status=InboxStatus.PENDING, account_id=account_id,
        kind=kind, resource_id=ref,
    )  # fmt: skip


@pytest.fixture
async def shop(db: Database) -> Shop:
    """Given a connected seller whose shipped order and pending order were fetched and notified."""
    account = await linked_seller(db, SELLER_ID, site_id="MLA", country="AR", nickname="TIENDA")
    assert account.id is not None
    # The shipped order's shipment was last fetched for another order of its pack.
    await _documents(db, account.id, "shipped_with_opt_ins", shipment_owner=OTHER_ORDER_OF_PACK)
    await _documents(db, account.id, "payment_pending")
    await record_notifications(
        db,
        [
            _note(account.id, "orders_v2", "order", PENDING, f"/orders/{PENDING}"),
            _note(account.id, "payments", "payment", "91234567301", "/collections/91234567301"),
            _note(account.id, "shipments", "shipment", "44001234301", "/shipments/44001234301"),
            _note(account.id, "orders_v2", "order", SHIPPED, f"/orders/{SHIPPED}"),
        ],
    )
    return Shop(account.business_id, account.id)


async def _delete_event(db: Database, key: str) -> None:
    async with db.transaction() as session:
        await session.exec(delete(EventRow).where(col(EventRow.dedupe_key) == key))


async def _events(db: Database) -> list[tuple[str, str, datetime, Decimal | None, str | None, str]]:
    async with db.transaction() as session:
        rows = (await session.exec(select(EventRow).order_by(col(EventRow.dedupe_key)))).all()
    return [(r.action, r.dedupe_key, r.tracked_at, r.amount, r.currency, r.origin) for r in rows]


CONFIRMED = ("order.confirmed", f"ml:order:{SHIPPED}:confirmed", datetime(2026, 11, 20, 14, 2, 13, tzinfo=UTC))
SHIPPED_EVENT = ("order.shipped", f"ml:order:{SHIPPED}:shipped", datetime(2026, 11, 21, 18, 30, tzinfo=UTC))


async def test_replay_restores_exactly_the_deleted_event_and_a_second_replay_adds_nothing(
    db: Database, shop: Shop
) -> None:
    first = await replay(db, SELLER_ID)
    await _delete_event(db, CONFIRMED[1])

    restored = await replay(db, SELLER_ID)
    again = await replay(db)

    assert (first.accounts, first.orders, first.events_added, first.problems) == (1, 2, 2, [])
    assert (restored.orders, restored.events_added, restored.added_keys) == (2, 1, [CONFIRMED[1]])
    assert (again.orders, again.events_added, again.added_keys) == (2, 0, [])
    assert await _events(db) == [
        (*CONFIRMED, Decimal("15999.00"), "ARS", "replay"),
        (*SHIPPED_EVENT, Decimal("15999.00"), "ARS", "replay"),
    ]


async def test_replay_since_skips_orders_fetched_before_and_an_unknown_seller_is_an_error(
    db: Database, shop: Shop
) -> None:
    later = await replay(db, SELLER_ID, since=datetime.now(UTC) + timedelta(days=1))

    assert (later.orders, later.events_added) == (0, 0)
    with pytest.raises(NotFoundError, match="no account of seller 5: it was never connected"):
        await replay(db, 5)


async def test_explain_a_pending_order_says_why_it_has_no_confirmation(db: Database, shop: Shop) -> None:
    story = story_json(await explain_order(db, PENDING))

    assert [(n["topic"], n["resource"], n["status"]) for n in story["notifications"]] == [
        ("orders_v2", f"/orders/{PENDING}", "pending"),
        ("payments", "/collections/91234567301", "pending"),
        ("shipments", "/shipments/44001234301", "pending"),
    ]
    assert [(d["kind"], d["ref"]) for d in story["documents"]] == [("order", PENDING), ("shipment", "44001234301")]
    assert story["events"] == [] and story["not_stored"] == [] and story["problems"] == []
    assert story["absent"][0] == {
        "action": "order.confirmed",
        "reason": "no approved payment yet (payment 91234567301 is pending)",
        "text": "no order.confirmed: no approved payment yet (payment 91234567301 is pending)",
    }


async def test_explain_lists_stored_events_with_their_rule_and_the_ones_not_stored(db: Database, shop: Shop) -> None:
    await replay(db)
    await _delete_event(db, SHIPPED_EVENT[1])

    story = story_json(await explain_order(db, SHIPPED, business_id=shop.business_id))

    assert story["account"] == {"id": shop.account_id, "seller_id": SELLER_ID, "business_id": shop.business_id}
    assert [(d["kind"], d["ref"]) for d in story["documents"]] == [
        ("order", SHIPPED), ("shipment", "44001234303"), ("shipment_history", "44001234303"), ("claims", SHIPPED),
    ]  # fmt: skip
    assert [(e["action"], e["tracked_at"], e["amount"], e["dedupe_key"], e["origin"]) for e in story["events"]] == [
        ("order.confirmed", "2026-11-20T14:02:13.000Z", "15999.00", CONFIRMED[1], "replay")
    ]
    assert story["events"][0]["rule"].startswith("a payment of the order was approved (it has date_approved)")
    assert story["not_stored"] == [SHIPPED_EVENT[1]]


async def test_explain_an_unknown_order_or_another_business_is_not_found(db: Database, shop: Shop) -> None:
    with pytest.raises(NotFoundError, match="order 2000000000000001 is unknown: no notification or stored"):
        await explain_order(db, "2000000000000001")
    with pytest.raises(NotFoundError, match=f"order {SHIPPED} is unknown for business 999"):
        await explain_order(db, SHIPPED, business_id=999)
