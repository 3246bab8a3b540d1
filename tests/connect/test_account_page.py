"""The account page: it reloads itself while an import runs (a meta refresh, the same strict CSP), lists the
latest events of the seller's own orders, keeps the first connection date, and tells a browser without a
session how to come back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from connectors.events import Subscriber
from tests.connect.conftest import Browser, Stack, open_browser
from tests.harness.browser import connected
from tests.harness.shop import Shop, add_order, paid_order, record
from tests.harness.store import save_documents
from worker.store.documents import RawDocument
from worker.store.events import append_events
from worker.web.pages.responses import SECURITY_HEADERS

REFRESH = '<meta http-equiv="refresh" content="5">'
WHEN = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)


async def order_with_events(stack: Stack, reference: str, actions: list[str]) -> Shop:
    buyer = Subscriber(external_id="1122", source="mercadolibre")
    shop = await add_order(stack.context.db, stack.business_id, buyer, paid_order(reference, updated_at=WHEN))
    records = [record(shop, f"{reference}:{action}", action=action, tracked_at=WHEN) for action in actions]
    await append_events(stack.context.db, stack.business_id, records)
    return shop


async def test_the_page_reloads_itself_only_while_the_import_runs(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)

    importing = await browser.get(f"/accounts/{account_id}")
    async with stack.context.db.connect() as conn:
        await conn.execute(text("UPDATE backfill SET status = 'done', open_key = NULL"))
    finished = await browser.get(f"/accounts/{account_id}")

    assert importing.status == 200 and REFRESH in importing.text
    assert "This page updates itself every 5 seconds while the import runs." in importing.text
    assert importing.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert "<script" not in importing.text
    assert finished.status == 200 and "http-equiv" not in finished.text and "updates itself" not in finished.text


async def test_the_page_lists_the_latest_events_of_the_sellers_own_orders(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)
    await order_with_events(stack, "2000000000000001", ["order.confirmed", "order.shipped"])
    await order_with_events(stack, "2000000000000002", ["order.cancelled"])  # not a sale of this account
    before = await browser.get(f"/accounts/{account_id}")  # no order document yet: none is the seller's
    await save_documents(
        stack.context.db, account_id, [RawDocument("order", "2000000000000001", {}, "2000000000000001")]
    )

    page = await browser.get(f"/accounts/{account_id}")

    assert "<h2>Recent events</h2>\n<p>No events from this seller&#x27;s orders yet.</p>" in before.text
    assert (
        "<dt>Last event</dt><dd>none yet</dd>" in before.text
        and "<dt>Last event</dt><dd>none yet</dd>" not in page.text
    )
    # live events dated before the connection (the demo's simulated dates) are not counted as imported history
    assert "2 from notifications, " in page.text and "0 from the import (0 from before you connected)" in page.text
    listed = page.text.split('<ul class="events">', 1)[1].split("</ul>", 1)[0]
    assert listed == (
        '<li><code>order.shipped</code> <span class="muted">2026-03-02 14:05 UTC · order 2000000000000001</span></li>'
        '<li><code>order.confirmed</code> <span class="muted">2026-03-02 14:05 UTC · order 2000000000000001</span>'
        "</li>"
    )


async def test_connected_since_shows_the_first_connection_after_a_reconnect(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)
    async with stack.context.db.connect() as conn:
        await conn.execute(text("UPDATE ml_account SET first_connected_at = '2026-01-02 03:04:00+00:00'"))

    again = await connected(stack, browser)
    page = await browser.get(f"/accounts/{again}")

    assert again == account_id
    assert "<dt>Connected since</dt><dd>2026-01-02 03:04 UTC</dd>" in page.text


async def test_without_a_session_the_page_says_how_to_come_back(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)

    async with open_browser(stack) as later:
        page = await later.get(f"/accounts/{account_id}")

    assert page.status == 401
    assert "for 12 hours" in page.text and "owner link" in page.text
