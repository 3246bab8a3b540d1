"""Every page and state of ours in headless Chromium, in Spanish and Portuguese (Brazil), at desktop width and at
375 px: links that are malformed, unknown, expired, withdrawn or spent; sign-ins refused, denied, confirmed from
another browser or cancelled; the account page active, needing a reconnect, asked to disconnect and
disconnected; owner links and the account list. On each page: the right `<html lang>`, nothing wider than the
screen, and no English left: no text of the English catalog (a msgid, between its placeholders) that the
language's translations do not share, and none of the common English words. Skipped, saying so, without the
Debian `chromium` package."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.async_api import Browser, Page, async_playwright

from tests.connect.conftest import Stack
from tests.connect.test_browser import CHROMIUM_ARGS
from tests.connect.test_browser_languages import ENGLISH
from tests.harness.browser import chromium_or_skip
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.context import link_options
from worker.store.accounts import load_tokens, mark_needs_reauth
from worker.store.links import LinkKind, revoke_link

LOCALES = Path(__file__).resolve().parents[2] / "worker" / "connect" / "locales"
BETWEEN = re.compile(r"\$[a-z_]+|\{[a-z_]+\}|<[^>]+>")
LANGUAGES = {"es": ("es-CO", "es"), "pt-BR": ("pt-BR", "pt_BR")}
WIDTHS = ((1280, 800), (375, 740))


def english_left_over(locale: str) -> list[str]:
    """The English catalog's texts (runs of 2+ words between placeholders) that no translation repeats."""
    catalog = read_po(io.BytesIO((LOCALES / locale / "LC_MESSAGES" / "messages.po").read_bytes()))
    translated = " ".join(str(message.string) for message in catalog if message.id)
    runs = {
        run.strip(" .,:;?!()")
        for message in catalog
        if isinstance(message.id, str) and message.id
        for run in BETWEEN.split(message.id)
    }
    return sorted(run for run in runs if len(run.split()) >= 2 and run not in translated)


def links_of(stack: Stack) -> ConnectLinks:
    return ConnectLinks(stack.context.db, link_options(stack.settings))


class Tour:
    """Visits pages in one language at one width and notes what is wrong with each."""

    def __init__(self, page: Page, lang: str, width: int, english: list[str]) -> None:
        self.page, self.lang, self.width, self.english = page, lang, width, english
        self.seen: list[str] = []
        self.problems: list[tuple[str, str, object]] = []
        self.headings: list[str] = []

    async def check(self, state: str) -> None:
        page = self.page
        self.seen.append(state)
        if (lang := await page.get_attribute("html", "lang")) != self.lang:
            self.problems.append((state, "lang", lang))
        if (wide := await page.evaluate("document.documentElement.scrollWidth")) > self.width:
            self.problems.append((state, "scrollWidth", wide))
        self.headings.append(await page.get_by_role("heading", level=1).inner_text())
        body = await page.inner_text("body")
        main = (await page.inner_text("main")).replace("meli-events", "")
        left = [run for run in self.english if run in body] + ENGLISH.findall(main)
        if left:
            self.problems.append((state, "English", left))


async def links_that_cannot_be_used(tour: Tour, stack: Stack) -> None:
    page, links, now = tour.page, links_of(stack), utcnow()
    await page.goto(f"{stack.base}/connect?token=not-a-token")
    await tour.check("connect link malformed")
    await page.goto(f"{stack.base}/connect?token={'A' * 43}")
    await tour.check("connect link unknown")
    expired = await links.issue(stack.business_id, None, now=now - timedelta(days=30), ttl=timedelta(hours=1))
    await page.goto(expired.url)
    await tour.check("connect link expired")
    withdrawn = await links.issue(stack.business_id, None, now=now)
    await revoke_link(stack.context.db, stack.business_id, withdrawn.id, now)
    await page.goto(withdrawn.url)
    await tour.check("connect link withdrawn")
    await page.goto(f"{stack.base}/owner?token={'A' * 43}")
    await tour.check("owner link unknown")
    await page.goto(f"{stack.base}/oauth/callback?code=x&state=..")
    await tour.check("sign-in malformed")
    await page.goto(f"{stack.base}/oauth/callback?code=x&state={'A' * 43}")
    await tour.check("sign-in unknown")


async def at_ml(page: Page, stack: Stack, login: str, decision: str) -> None:
    await page.wait_for_url(f"{stack.sandbox.base}/**")
    await page.get_by_label("Seller login").fill(login)
    await page.get_by_role("button", name=decision).click()


async def connect_and_disconnect(tour: Tour, stack: Stack, login: str) -> None:
    page = tour.page
    link = await links_of(stack).issue(stack.business_id, None, now=utcnow())
    await page.goto(link.url)
    await tour.check("connect page")
    await page.locator("main form button").first.click()
    await at_ml(page, stack, login, "Deny")
    await page.wait_for_url(f"{stack.base}/**")
    await tour.check("sign-in denied")
    retry = await page.locator("main form input[name=token]").first.get_attribute("value")
    await page.locator("main form button").first.click()  # try again, with a new link
    await at_ml(page, stack, login, "Allow")
    await page.wait_for_url(f"{stack.base}/accounts/*")
    await tour.check("account connected")
    account_id = int(page.url.rsplit("/", 1)[1])
    await page.goto(f"{stack.base}/accounts")
    await tour.check("account list")
    stored = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    assert stored is not None
    assert await mark_needs_reauth(stack.context.db, account_id, stored.version)
    await page.goto(f"{stack.base}/accounts/{account_id}")
    await tour.check("account needs reconnecting")
    await page.locator("main form[action$='/disconnect'] button").first.click()
    await tour.check("disconnect asked")
    await page.locator("main form[action$='/disconnect'] button").first.click()
    await tour.check("account disconnected")
    await page.goto(f"{stack.base}/connect?token={retry}")
    await tour.check("connect link spent")


async def owner_link(tour: Tour, stack: Stack) -> None:
    page = tour.page
    link = await links_of(stack).issue(stack.business_id, None, now=utcnow(), kind=LinkKind.OWNER)
    await page.goto(link.url)
    await tour.check("owner link")
    await page.locator("main form button").first.click()
    await page.wait_for_url(f"{stack.base}/accounts**")
    await tour.check("owner link opened")


async def confirmed_elsewhere(tour: Tour, stack: Stack, browser: Browser, login: str) -> None:
    """Connect pressed in one browser, ML's Allow in another: the other browser is asked, and cancels."""
    link = await links_of(stack).issue(stack.business_id, None, now=utcnow())
    await tour.page.goto(link.url)
    await tour.page.locator("main form button").first.click()
    await tour.page.wait_for_url(f"{stack.sandbox.base}/**")
    other = await browser.new_context(locale=LANG_OF[tour.lang])
    elsewhere = await other.new_page()
    await elsewhere.set_viewport_size({"width": tour.width, "height": 740})
    await elsewhere.goto(tour.page.url)
    await at_ml(elsewhere, stack, login, "Allow")
    await elsewhere.wait_for_url(f"{stack.base}/**")
    away = Tour(elsewhere, tour.lang, tour.width, tour.english)
    await away.check("asked in another browser")
    await elsewhere.locator("main form button").last.click()  # cancel
    await away.check("cancelled in another browser")
    tour.seen += away.seen
    tour.problems += away.problems
    tour.headings += away.headings
    await other.close()


LANG_OF = {lang: accept for lang, (accept, _) in LANGUAGES.items()}


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_every_page_and_state_has_no_english_left(stack: Stack, lang: str) -> None:
    chromium = chromium_or_skip()
    accept, locale = LANGUAGES[lang]
    english = english_left_over(locale)
    sellers = await stack.sandbox.sellers()
    problems: list[tuple[str, str, object]] = []
    seen: list[list[str]] = []
    headings: list[list[str]] = []

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width, height in WIDTHS:
            context = await browser.new_context(locale=accept, viewport={"width": width, "height": height})
            tour = Tour(await context.new_page(), lang, width, english)
            await tour.page.goto(f"{stack.base}/")
            await tour.check("landing")
            await tour.page.goto(f"{stack.base}/accounts")
            await tour.check("no session")
            await links_that_cannot_be_used(tour, stack)
            await connect_and_disconnect(tour, stack, sellers["MCO"]["login"])
            await owner_link(tour, stack)
            await confirmed_elsewhere(tour, stack, browser, sellers["MCO"]["login"])
            await context.close()
            problems += [(f"{width}px {state}", what, found) for state, what, found in tour.problems]
            seen.append(tour.seen)
            headings.append(tour.headings)
        await browser.close()

    assert problems == []
    assert headings[0] == headings[1] and len(set(headings[0])) >= 15, headings[0]
    assert {"This connect link is not valid", "Connected since"} <= set(english)
    assert len(seen[0]) == 21 and seen[0] == seen[1]
    assert len(english) > 100  # the check has something to look for
