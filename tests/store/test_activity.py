"""Last notification and last event of an account, as its status page shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.harness.shop import Shop, record
from worker.store.accounts import TokenSet, link_account
from worker.store.activity import Activity, account_activity
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.events import append_events
from worker.store.inbox import NewNotification, record_notifications
from worker.store.models import EventRow, InboxRow, InboxStatus


async def test_activity_is_empty_then_follows_the_latest_rows(db: Database, shop: Shop) -> None:
    cipher = TokenCipher([TokenCipher.generate_key()])
    tokens = TokenSet("APP_USR-a", "TG-a", datetime.now(UTC) + timedelta(hours=6))
    account = await link_account(
        db, cipher, business_id=shop.business_id, seller_id=42, site_id="MCO", nickname="T", tokens=tokens
    )
    assert account.id is not None
    assert await account_activity(db, account.id, shop.business_id) == Activity(None, None)

    note = NewNotification("orders_v2", "/orders/1", 42, {}, InboxStatus.PENDING, account_id=account.id)
    await record_notifications(db, [note, note])
    await append_events(db, shop.business_id, [record(shop, "k1")])

    async with db.transaction() as session:
        received = max(row.received_at for row in (await session.exec(select(InboxRow))).all())
        recorded = (await session.exec(select(EventRow))).one().recorded_at
    assert await account_activity(db, account.id, shop.business_id) == Activity(received, recorded)
