"""The connect flow end to end (our app + the sandbox), and every attack on its callback."""

from __future__ import annotations

import re

from tests.connect.conftest import Browser, Stack, form_field, open_browser, path_and_query, url_query
from worker.store.accounts import get_account_by_seller, list_accounts, load_tokens
from worker.store.businesses import create_business
from worker.store.models import AccountStatus


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL)
    assert found, html
    return found.group(1)


async def test_connect_page_names_the_business_and_preselects_its_country(stack: Stack, browser: Browser) -> None:
    page = await browser.get("/connect", params={"token": await stack.connect_token()})

    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<strong>Tienda Uno</strong>" in page.text
    assert heading(page.text) == "Connect your Mercado Libre account to Tienda Uno"
    assert "<h2>What meli-events will receive</h2>" in page.text  # the application receiving the data is named
    assert "lets <strong>meli-events</strong> read your sales, and meli-events passes each change on to" in page.text
    assert re.findall(r"<option [^>]*selected>([^<]*)", page.text) == ["Colombia (MCO)"]
    assert '<label for="site">' in page.text and '<select id="site" name="site">' in page.text
    assert re.findall(r"<button[^>]*>([^<]*)</button>", page.text) == ["Connect Mercado Libre"]
    assert "<script" not in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_a_link_made_for_a_site_preselects_that_site(stack: Stack, browser: Browser) -> None:
    page = await browser.get("/connect", params={"token": await stack.connect_token(site="MLA")})

    assert re.findall(r"<option [^>]*selected>([^<]*)", page.text) == ["Argentina (MLA)"]


async def test_connect_redirects_to_the_site_auth_host_with_state_and_pkce(stack: Stack, browser: Browser) -> None:
    token = await stack.connect_token()
    page = await browser.get("/connect", params={"token": token})
    fields = {"token": token, "site": "MLB", "csrf": form_field(page.text, "csrf")}
    started = await browser.post("/connect/start", data=fields)
    location, query = started.location, url_query(started.location)

    assert location.startswith(f"{stack.sandbox.base}/auth.mercadolivre.com.br/authorization?")
    assert query["response_type"] == "code"
    assert query["client_id"] == stack.settings.ml_client_id
    assert query["redirect_uri"] == stack.settings.ml_redirect_uri
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) == 43
    ttl = await stack.context.redis.ttl(f"{stack.settings.queue_name}:oauth-state:{query['state']}")
    assert 590 < ttl <= 600
    cookie = started.headers["Set-Cookie"]
    assert cookie.startswith("meli_connect=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_full_connect_lands_on_the_done_page(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]

    back = await browser.connect(await stack.connect_token(), seller["login"])
    account = await get_account_by_seller(stack.context.db, seller["id"])
    done = await browser.get(back.location)

    assert account is not None and account.id is not None
    assert back.status == 303 and back.location == f"/accounts/{account.id}"
    assert (account.business_id, account.status, account.site_id) == (stack.business_id, "active", "MCO")
    assert heading(done.text) == f"Connected as {seller['nickname']} (MCO)"
    assert "Active" in done.text and "none yet" in done.text
    stored = await load_tokens(stack.context.db, stack.context.cipher, account.id)
    assert stored is not None and await stack.sandbox.me_status(stored.tokens.access_token) == 200


async def test_reconnecting_the_same_seller_replaces_tokens_on_the_same_account(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    await browser.connect(await stack.connect_token(), seller["login"])
    first = await get_account_by_seller(stack.context.db, seller["id"])
    assert first is not None and first.id is not None
    before = await load_tokens(stack.context.db, stack.context.cipher, first.id)

    back = await browser.connect(await stack.connect_token(), seller["login"])
    after = await load_tokens(stack.context.db, stack.context.cipher, first.id)

    assert back.location == f"/accounts/{first.id}"
    assert [a.id for a in await list_accounts(stack.context.db, stack.business_id)] == [first.id]
    assert before is not None and after is not None
    assert after.version == before.version + 1 and after.tokens.access_token != before.tokens.access_token


async def test_a_seller_of_another_business_is_refused_and_nothing_is_stored(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    await browser.connect(await stack.connect_token(), seller["login"])
    other, _ = await create_business(stack.context.db, "Otra Tienda", "CO")
    assert other.id is not None
    owner = await get_account_by_seller(stack.context.db, seller["id"])
    assert owner is not None and owner.id is not None
    tokens_before = await load_tokens(stack.context.db, stack.context.cipher, owner.id)

    async with open_browser(stack) as stranger:
        refused = await stranger.connect(await stack.connect_token(other.id), seller["login"])

    assert refused.status == 409
    assert heading(refused.text) == "This seller is connected to another business"
    assert await list_accounts(stack.context.db, other.id) == []
    assert await load_tokens(stack.context.db, stack.context.cipher, owner.id) == tokens_before


async def test_deny_shows_a_retry_button_that_starts_again(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    denied = await browser.back(await browser.at_ml(await browser.start(await stack.connect_token()), "", "deny"))
    retry = re.search(r'<form method="post" action="/connect/start">(.*?)</form>', denied.text)

    assert denied.status == 200 and heading(denied.text) == "Nothing was connected"
    assert retry and "Try again" in retry.group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', retry.group(1)))
    again = await browser.post("/connect/start", data=fields)
    back = await browser.back(await browser.at_ml(again.location, seller["login"]))
    assert fields["site"] == "MCO" and back.status == 303
    assert await list_accounts(stack.context.db, stack.business_id) != []


async def test_missing_forged_and_replayed_state_are_refused(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    callback = await browser.at_ml(await browser.start(await stack.connect_token()), seller["login"])
    code = url_query(callback)["code"]

    missing = await browser.get("/oauth/callback", params={"code": code})
    forged = await browser.get("/oauth/callback", params={"code": code, "state": "A" * 43})
    odd = await browser.get("/oauth/callback", params={"code": code, "state": "../../x"})
    first = await browser.back(callback)
    replayed = await browser.back(callback)  # Back, then Allow again: the account is connected in this browser
    async with open_browser(stack) as other:
        replayed_elsewhere = await other.back(callback)

    assert [page.status for page in (missing, forged, odd, replayed_elsewhere)] == [400, 404, 400, 404]
    for page in (missing, forged, odd, replayed_elsewhere):
        assert heading(page.text) == "This sign-in is no longer valid"
        assert "Traceback" not in page.text
    assert first.status == replayed.status == 303
    assert replayed.location == first.location and first.location.startswith("/accounts/")


async def test_an_expired_state_is_refused(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    callback = await browser.at_ml(await browser.start(await stack.connect_token()), seller["login"])
    await stack.context.redis.delete(f"{stack.settings.queue_name}:oauth-state:{url_query(callback)['state']}")

    expired = await browser.back(callback)

    assert expired.status == 404 and heading(expired.text) == "This sign-in is no longer valid"
    assert await list_accounts(stack.context.db, stack.business_id) == []


async def test_a_callback_in_another_browser_links_nothing_until_it_confirms(stack: Stack, browser: Browser) -> None:
    """The sign-in came back to a browser that did not press Connect: it is asked first (tests/attacks has the
    attack this stops); the state is spent either way."""
    seller = (await stack.sandbox.sellers())["MCO"]
    callback = await browser.at_ml(await browser.start(await stack.connect_token()), seller["login"])

    async with open_browser(stack) as other:
        asked = await other.back(callback)
        linked_before = await list_accounts(stack.context.db, stack.business_id)
        fields = {name: form_field(asked.text, name) for name in ("confirmation", "csrf")}
        confirmed = await other.post("/connect/confirm", data={**fields, "decision": "connect"})
    retried_by_starter = await browser.back(callback)

    assert asked.status == 200 and heading(asked.text) == f"Connect {seller['nickname']} to Tienda Uno?"
    assert re.findall(r"<button[^>]*>([^<]*)</button>", asked.text) == ["Connect", "Cancel"]
    assert linked_before == []
    assert confirmed.status == 303 and confirmed.location.startswith("/accounts/")
    assert [a.seller_id for a in await list_accounts(stack.context.db, stack.business_id)] == [seller["id"]]
    assert retried_by_starter.status == 404  # the state was spent by the first answer


async def test_a_reused_code_is_refused_by_ml_and_nothing_changes(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    first_callback = await browser.at_ml(await browser.start(await stack.connect_token()), seller["login"])
    await browser.back(first_callback)
    account = await get_account_by_seller(stack.context.db, seller["id"])
    assert account is not None and account.id is not None
    before = await load_tokens(stack.context.db, stack.context.cipher, account.id)
    second = url_query(await browser.start(await stack.connect_token()))

    reused = await browser.get(
        "/oauth/callback", params={"code": url_query(first_callback)["code"], "state": second["state"]}
    )

    assert reused.status == 400 and heading(reused.text) == "Mercado Libre did not confirm the sign-in"
    assert "Try again" in reused.text
    assert await load_tokens(stack.context.db, stack.context.cipher, account.id) == before


async def test_next_parameters_never_redirect_off_site(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    evil = "https://evil.example/steal"
    token = await stack.connect_token()
    page = await browser.get("/connect", params={"token": token, "next": evil})
    fields = {"token": token, "site": "MCO", "next": evil, "csrf": form_field(page.text, "csrf")}
    started = await browser.post("/connect/start", data=fields)
    callback = await browser.at_ml(started.location, seller["login"])

    back = await browser.get(path_and_query(callback) + "&next=" + evil)

    assert started.location.startswith(stack.sandbox.base + "/auth.mercadolibre.com.co/authorization?")
    assert "evil" not in started.location
    assert back.status == 303 and back.location.startswith("/accounts/")


async def test_an_unknown_site_is_refused_with_a_page(stack: Stack, browser: Browser) -> None:
    token = await stack.connect_token()
    page = await browser.get("/connect", params={"token": token})
    refused = await browser.post(
        "/connect/start", data={"token": token, "site": "ZZZ", "csrf": form_field(page.text, "csrf")}
    )

    assert refused.status == 400 and heading(refused.text) == "Choose your Mercado Libre country"


async def test_status_stays_active_after_connect(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MLM"]

    await browser.connect(await stack.connect_token(), seller["login"], site="MLM")
    account = await get_account_by_seller(stack.context.db, seller["id"])

    assert account is not None and account.status == AccountStatus.ACTIVE.value and account.site_id == "MLM"


async def test_ml_down_at_the_callback_shows_a_retry_page_and_stores_nothing(stack: Stack, browser: Browser) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    callback = await browser.at_ml(await browser.start(await stack.connect_token()), seller["login"])
    await stack.sandbox.faults(fault_5xx=1.0)

    down = await browser.back(callback)

    assert down.status == 502 and heading(down.text) == "Mercado Libre did not answer"
    assert "Try again" in down.text
    assert await list_accounts(stack.context.db, stack.business_id) == []


async def test_the_root_is_a_landing_page_that_points_sellers_and_integrators_on(browser: Browser) -> None:
    page = await browser.get("/")

    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert heading(page.text) == "meli-events"
    assert "Open the connect link the business sent you" in page.text
    assert '<a href="/docs">/docs</a>' in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
