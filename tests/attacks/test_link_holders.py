"""Whoever holds a connect link can connect one seller, and sees only that seller.

A link used to be a session over the whole business: its holder could connect their own seller and then view
and disconnect every other account of the business, for 7 days, with no way to withdraw the link. Now a
browser's session covers the accounts that browser connected; a link connects once, lives 24 hours and can be
revoked; managing every account takes the API key or an owner link (single use, minutes).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from tests.connect.conftest import Browser, Stack, browser, fetch, form_field, open_browser, stack
from tests.connect.test_connect_flow import heading
from tests.harness.browser import connected
from worker.store.accounts import get_account

__all__ = ["browser", "stack"]  # the connect flow's fixtures, used here


async def api(stack: Stack, method: str, path: str) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    page = await fetch(stack.sandbox.http, method, stack.base + path, headers=headers)
    return page.status, json.loads(page.text)


async def test_a_link_holder_sees_and_disconnects_only_the_seller_they_connected(stack: Stack) -> None:
    async with open_browser(stack) as merchant:
        theirs = await connected(stack, merchant, "MCO")
    async with open_browser(stack) as holder:
        mine = await connected(stack, holder, "MLA")
        own = await holder.get(f"/accounts/{mine}")
        other = await holder.get(f"/accounts/{theirs}")
        disconnect = await holder.post(f"/accounts/{theirs}/disconnect", data={"csrf": form_field(own.text, "csrf")})
        listing = await holder.get("/accounts")
    account = await get_account(stack.context.db, theirs)

    assert (own.status, other.status, disconnect.status) == (200, 404, 404)
    assert re.findall(r'<a href="(/accounts/\d+)">', listing.text) == [f"/accounts/{mine}"]
    assert account is not None and account.status == "active"


async def test_a_connect_link_works_once(stack: Stack) -> None:
    token = await stack.connect_token()
    async with open_browser(stack) as first:
        await connected(stack, first, "MCO", token=token)
    async with open_browser(stack) as second:
        again = await second.get("/connect", params={"token": token})

    assert again.status == 410 and heading(again.text) == "This connect link was already used"


async def test_the_api_makes_24_hour_links_and_revokes_them(stack: Stack, browser: Browser) -> None:
    status, made = await api(stack, "POST", "/api/v1/connect-links")
    token = str(made["url"]).split("token=", 1)[1]
    started = await browser.start(token)  # a sign-in under way when the link is withdrawn
    seller = (await stack.sandbox.sellers())["MCO"]
    revoked_status, revoked = await api(stack, "DELETE", f"/api/v1/connect-links/{made['id']}")
    page = await browser.get("/connect", params={"token": token})
    finished = await browser.back(await browser.at_ml(started, seller["login"]))
    lifetime = datetime.fromisoformat(str(made["expires_at"])) - datetime.now().astimezone()

    assert status == 201 and timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)
    assert (revoked_status, revoked) == (200, {"id": made["id"], "revoked": True})
    assert page.status == 410 and heading(page.text) == "This connect link was withdrawn"
    assert finished.status == 410 and heading(finished.text) == "This connect link was already used"
    assert (await api(stack, "DELETE", "/api/v1/connect-links/999999"))[0] == 404


async def test_an_owner_link_opens_every_account_once(stack: Stack) -> None:
    async with open_browser(stack) as merchant:
        ids = [await connected(stack, merchant, site) for site in ("MCO", "MLA")]
    status, made = await api(stack, "POST", "/api/v1/owner-links")
    path = str(made["url"]).removeprefix(stack.base)
    async with open_browser(stack) as owner:
        page = await owner.get(path)
        fields = {name: form_field(page.text, name) for name in ("token", "csrf")}
        opened = await owner.post("/owner", data=fields)
        listing = await owner.get("/accounts")
        pages = [(await owner.get(f"/accounts/{account_id}")).status for account_id in ids]
    async with open_browser(stack) as latecomer:
        page_again = await latecomer.get(path)

    assert status == 201 and page.status == 200
    assert opened.status == 303 and opened.location == "/accounts"
    assert re.findall(r'<a href="/accounts/(\d+)">', listing.text) == [str(i) for i in ids]
    assert pages == [200, 200]
    assert page_again.status == 410 and heading(page_again.text) == "This owner link was already used"
