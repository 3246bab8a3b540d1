"""The webhook's seller directory: one query per seller at a time; no request waits for a connected seller's
refresh, and a seller who was unknown or disconnected is read again before the answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.harness.store import linked_seller
from worker.store.accounts import TokenSet, disconnect_account, link_account
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.inbox import NewNotification, record_notifications
from worker.store.models import AccountStatus, InboxStatus
from worker.web.intake import AccountDirectory, AccountInfo

SELLER = 241530000


async def _seller(db: Database) -> int:
    account = await linked_seller(db, SELLER)
    assert account.id is not None
    return account.id


def _pending(account_id: int, number: int) -> NewNotification:
    return NewNotification(
        topic="orders_v2", resource=f"/orders/{number}", user_id=SELLER, body={}, status=InboxStatus.PENDING,
        account_id=account_id, kind="order", resource_id=str(number),
    )  # fmt: skip


async def test_concurrent_first_lookups_share_one_query_and_later_ones_never_wait(db: Database) -> None:
    account_id = await _seller(db)
    await record_notifications(db, [_pending(account_id, n) for n in range(3)])
    directory = AccountDirectory(db, pending_cap=1000, ttl=0.0)  # every answer is due for a refresh at once

    first = await asyncio.gather(*(directory.lookup(SELLER) for _ in range(20)))
    await record_notifications(db, [_pending(account_id, n) for n in range(3, 5)])
    await disconnect_account(db, account_id)
    # The loop does not run the refresh before this returns: the answer is the one cached, however stale.
    stale = await directory.lookup(SELLER)
    await directory.close()  # the refresh the stale lookup started
    fresh = await directory.lookup(SELLER)
    await directory.close()

    active = AccountInfo(account_id, first[0].business_id if first[0] else 0, AccountStatus.ACTIVE.value, 3)
    assert first == [active] * 20 and all(info is first[0] for info in first)  # one query's answer
    assert stale is first[0]
    assert fresh == AccountInfo(account_id, active.business_id, AccountStatus.DISCONNECTED.value, 0)


async def test_a_seller_unknown_or_disconnected_before_is_read_again_before_answering(db: Database) -> None:
    directory = AccountDirectory(db, pending_cap=1000, ttl=0.0)
    before = await directory.lookup(SELLER)
    account = await linked_seller(db, SELLER)  # the seller connects
    assert account.id is not None
    after_connect = await directory.lookup(SELLER)
    await disconnect_account(db, account.id)
    stale = await directory.lookup(SELLER)  # connected when last read: this answer, and a refresh behind it
    await directory.close()
    after_disconnect = await directory.lookup(SELLER)
    tokens = TokenSet("APP_USR-again", "TG-again", datetime.now(UTC) + timedelta(hours=6))
    await link_account(db, TokenCipher([TokenCipher.generate_key()]), business_id=account.business_id,
                       seller_id=SELLER, site_id="MCO", nickname="S", tokens=tokens)  # fmt: skip
    after_reconnect = await directory.lookup(SELLER)
    await directory.close()

    answers = (before, after_connect, stale, after_disconnect, after_reconnect)
    assert [None if info is None else info.status for info in answers] == [
        None, "active", "active", "disconnected", "active",
    ]  # fmt: skip
