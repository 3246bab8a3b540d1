"""Account changes as outbound webhooks: connected, needs_reconnect, disconnected and import.completed, each
written with the change itself and sent in the order they happened, so an integrator learns of a broken
connection without polling."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from tests.delivery.receiver import Receiver, receiver  # noqa: F401
from tests.delivery.test_webhooks import CIPHER, LOCAL, rows, verified
from worker.delivery.signing import new_secret
from worker.delivery.webhook_lane import run_webhooks
from worker.errors import Conflict
from worker.store.accounts import TokenSet, disconnect_account, link_account, load_tokens, mark_needs_reauth
from worker.store.backfills import NewRun, create_run, set_run_status
from worker.store.businesses import create_business
from worker.store.db import Database
from worker.store.models import BackfillStatus
from worker.store.webhooks import add_endpoint

SELLER = 700000001
SINCE = datetime(2026, 8, 1, tzinfo=UTC)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def tokens() -> TokenSet:
    return TokenSet("APP_USR-access", "TG-refresh", datetime.now(UTC) + timedelta(hours=6))


async def test_an_account_s_life_reaches_the_endpoint_in_order(
    db: Database, receiver: Receiver, http: aiohttp.ClientSession  # noqa: F811
) -> None:  # fmt: skip
    business, _ = await create_business(db, "Tienda Uno", "CO")
    assert business.id is not None
    secret = new_secret()
    await add_endpoint(db, CIPHER, business.id, receiver.url("/a"), secret)

    account = await link_account(db, CIPHER, business_id=business.id, seller_id=SELLER, site_id="MCO",
                                 nickname="TIENDA", tokens=tokens())  # fmt: skip
    assert account.id is not None
    run = await create_run(db, NewRun(account.id, "recent", 0, SINCE, SINCE + timedelta(days=90), SINCE))
    assert run is not None and run.id is not None
    await set_run_status(db, run.id, BackfillStatus.DONE)
    await set_run_status(db, run.id, BackfillStatus.DONE)  # a job run twice: one message
    stored = await load_tokens(db, CIPHER, account.id)
    assert stored is not None
    assert await mark_needs_reauth(db, account.id, stored.version)
    assert await mark_needs_reauth(db, account.id, stored.version)  # already so: no second message
    await disconnect_account(db, account.id)
    await disconnect_account(db, account.id)

    assert await run_webhooks(db, CIPHER, http, LOCAL, business.id) == Counter(delivered=4)
    bodies = verified(secret, receiver.on("/a"))
    assert [(body["type"], body["data"]["status"]) for body in bodies] == [
        ("account.connected", "active"), ("import.completed", "active"),
        ("account.needs_reconnect", "needs_reauth"), ("account.disconnected", "disconnected"),
    ]  # fmt: skip
    first = bodies[0]["data"]
    assert first == {"account_id": account.id, "business_id": business.id, "seller_id": SELLER, "site_id": "MCO",
                     "nickname": "TIENDA", "status": "active"}  # fmt: skip
    assert bodies[1]["data"]["import"] == {
        "id": run.id, "phase": "recent", "since": "2026-08-01T00:00:00.000Z", "until": "2026-10-30T00:00:00.000Z",
        "orders_found": 0, "orders_done": 0, "orders_failed": 0, "events_added": 0,
    }  # fmt: skip
    assert len({request.headers["webhook-id"] for request in receiver.on("/a")}) == 4


async def test_a_refused_connect_writes_no_message(db: Database, receiver: Receiver) -> None:  # noqa: F811
    first, _ = await create_business(db, "Tienda Uno", "CO")
    second, _ = await create_business(db, "Tienda Dos", "CO")
    assert first.id is not None and second.id is not None
    await add_endpoint(db, CIPHER, second.id, receiver.url("/b"), new_secret())
    await link_account(db, CIPHER, business_id=first.id, seller_id=SELLER, site_id="MCO", nickname="T",
                       tokens=tokens())  # fmt: skip
    with pytest.raises(Conflict):
        await link_account(db, CIPHER, business_id=second.id, seller_id=SELLER, site_id="MCO", nickname="T",
                           tokens=tokens())  # fmt: skip
    assert await rows(db, "SELECT COUNT(*) FROM webhook_message") == [(0,)]
