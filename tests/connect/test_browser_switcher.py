"""In Chromium: a browser whose languages are none of ours sees a Brazilian seller's connect link in
Portuguese; the language links switch the page, and the choice follows to the next page. Skipped, saying so,
without the Debian `chromium` package."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from tests.connect.conftest import Stack
from tests.connect.test_browser import CHROMIUM_ARGS
from tests.harness.browser import chromium_or_skip


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_the_sites_language_then_the_language_links(stack: Stack) -> None:
    chromium = chromium_or_skip()
    token = await stack.connect_token(site="MLB")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="de-DE", viewport={"width": 375, "height": 740})
        page = await context.new_page()
        await page.goto(f"{stack.base}/connect?token={token}")
        first = (await page.get_attribute("html", "lang"), await page.get_by_role("button").inner_text())
        await page.get_by_role("link", name="Español").click()
        switched = (await page.get_attribute("html", "lang"), await page.get_by_role("button").inner_text())
        current = await page.locator("nav.langs [aria-current]").inner_text()
        await page.goto(f"{stack.base}/")
        landing = await page.get_attribute("html", "lang")
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        await browser.close()

    assert first == ("pt-BR", "Conectar Mercado Livre")
    assert switched == ("es", "Conectar Mercado Libre")
    assert current == "Español"
    assert landing == "es"  # the choice is kept for the next pages
    assert overflow <= 0
