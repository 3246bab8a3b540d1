"""Account status pages and API: scoped to one business, disconnect only with the page's CSRF token."""

from __future__ import annotations

import json
import re

from tests.connect.conftest import Browser, Stack, fetch, form_field, open_browser
from tests.harness.browser import connected
from tests.harness.store import set_account_status
from worker.store.accounts import get_account, load_tokens
from worker.store.businesses import create_business
from worker.store.models import AccountStatus


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def api_get(stack: Stack, path: str, key: str) -> tuple[int, dict[str, object]]:
    page = await fetch(stack.sandbox.http, "GET", stack.base + path, headers={"Authorization": f"Bearer {key}"})
    return page.status, json.loads(page.text)


async def test_the_status_page_needs_the_session_of_the_connecting_browser(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)

    async with open_browser(stack) as stranger:
        anonymous = await stranger.get(f"/accounts/{account_id}")

    assert anonymous.status == 401
    assert "<h1>Open your connect link to see this page</h1>" in anonymous.text
    session = (await browser.get(f"/accounts/{account_id}")).status
    assert session == 200


async def test_another_business_sees_404_for_our_account(stack: Stack, browser: Browser) -> None:
    ours = await connected(stack, browser)
    other, other_key = await create_business(stack.context.db, "Otra Tienda", "AR")
    assert other.id is not None

    async with open_browser(stack) as theirs:
        their_account = await connected(stack, theirs, "MLA", business_id=other.id)
        page = await theirs.get(f"/accounts/{ours}")
        own_page = await theirs.post(f"/accounts/{ours}/disconnect", data={"csrf": csrf_of(
            (await theirs.get(f"/accounts/{their_account}")).text)})  # fmt: skip
    api_status, api_body = await api_get(stack, f"/api/v1/accounts/{ours}", other_key)
    missing = await browser.get("/accounts/999999")

    assert page.status == 404 and "<h1>Account not found</h1>" in page.text
    assert own_page.status == 404
    assert (api_status, api_body["error"]) == (404, "not_found")
    assert missing.status == 404
    account = await get_account(stack.context.db, ours)
    assert account is not None and account.status == "active"


async def test_the_api_shows_the_key_owners_accounts(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)
    seller = (await stack.sandbox.sellers())["MCO"]

    status, body = await api_get(stack, f"/api/v1/accounts/{account_id}", stack.api_key)
    list_status, listed = await api_get(stack, "/api/v1/accounts", stack.api_key)
    unauthorized = await fetch(stack.sandbox.http, "GET", f"{stack.base}/api/v1/accounts/{account_id}")

    assert status == 200
    assert {k: body[k] for k in ("id", "seller_id", "nickname", "site_id", "status")} == {
        "id": account_id,
        "seller_id": seller["id"],
        "nickname": seller["nickname"],
        "site_id": "MCO",
        "status": "active",
    }
    assert body["token_expires_at"] is not None and body["last_event_at"] is None
    assert (list_status, [a["id"] for a in listed["accounts"]]) == (200, [account_id])  # type: ignore[attr-defined]
    assert unauthorized.status == 401


async def test_disconnect_needs_the_csrf_token_of_this_session(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)
    page = await browser.get(f"/accounts/{account_id}")
    async with open_browser(stack) as other_session:
        await connected(stack, other_session)  # same business, another browser session
        foreign_csrf = csrf_of((await other_session.get(f"/accounts/{account_id}")).text)

    without = await browser.post(f"/accounts/{account_id}/disconnect")
    forged = await browser.post(f"/accounts/{account_id}/disconnect", data={"csrf": "x" * 40})
    foreign = await browser.post(f"/accounts/{account_id}/disconnect", data={"csrf": foreign_csrf})
    still = await get_account(stack.context.db, account_id)

    assert [without.status, forged.status, foreign.status] == [403, 403, 403]
    assert "<h1>This form has expired</h1>" in without.text
    assert still is not None and still.status == "active"
    assert "Access valid until" not in page.text  # the 6-hour token expiry is internal, not the connection's
    asked = await browser.post(f"/accounts/{account_id}/disconnect", data={"csrf": csrf_of(page.text)})
    not_yet = await get_account(stack.context.db, account_id)
    assert asked.status == 200 and "<h1>Disconnect " in asked.text and "Keep it connected" in asked.text
    assert not_yet is not None and not_yet.status == "active"
    confirmed = {"csrf": form_field(asked.text, "csrf"), "confirmed": form_field(asked.text, "confirmed")}
    done = await browser.post(f"/accounts/{account_id}/disconnect", data=confirmed)
    after = await browser.get(done.location)
    account = await get_account(stack.context.db, account_id)
    assert done.status == 303 and done.location == f"/accounts/{account_id}"
    assert account is not None and account.status == AccountStatus.DISCONNECTED.value
    assert await load_tokens(stack.context.db, stack.context.cipher, account_id) is None
    assert "is disconnected</h1>" in after.text and "Reconnect Mercado Libre" in after.text
    assert 'action="/accounts/' not in after.text


async def test_needs_reauth_shows_a_reconnect_button_that_reactivates(stack: Stack, browser: Browser) -> None:
    account_id = await connected(stack, browser)
    await set_account_status(stack.context.db, account_id, AccountStatus.NEEDS_REAUTH)
    seller = (await stack.sandbox.sellers())["MCO"]

    page = await browser.get(f"/accounts/{account_id}")
    form = re.search(r'<form method="post" action="/connect/start">(.*?)</form>', page.text)
    assert form and "Reconnect Mercado Libre" in form.group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    started = await browser.post("/connect/start", data=fields)
    back = await browser.back(await browser.at_ml(started.location, seller["login"]))
    account = await get_account(stack.context.db, account_id)

    assert "needs to be reconnected</h1>" in page.text and "Needs reconnecting" in page.text
    assert back.location == f"/accounts/{account_id}"
    assert account is not None and account.status == "active"
