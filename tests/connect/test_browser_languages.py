"""Every page of the connect flow in headless Chromium, in English, Spanish and Portuguese (Brazil), at desktop
width and at 375 px: the right `<html lang>`, the page's own words in that language (no English left), and
nothing wider than the screen. Skipped, saying so, without the Debian `chromium` package."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, async_playwright

from tests.connect.conftest import Stack
from tests.connect.test_browser import CHROMIUM_ARGS
from tests.harness.browser import chromium_or_skip
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.context import link_options

ENGLISH = re.compile(
    r"\b(the|your|you|and|with|this|account|accounts|connect|connected|orders|since|status|disconnect|events|"
    r"waiting|page|keep)\b",  # not "link": Brazilian Portuguese says link too
    re.IGNORECASE,
)
LANGUAGES = {
    "en": ("en-US", "Connect Mercado Libre", "Allow", "Disconnect", "Yes, disconnect"),
    "es": ("es-CO", "Conectar Mercado Libre", "Allow", "Desconectar", "Sí, desconectar"),
    "pt-BR": ("pt-BR", "Conectar Mercado Livre", "Allow", "Desconectar", "Sim, desconectar"),
}


async def check(page: Page, lang: str, width: int, seen: list[str]) -> None:
    """Our page as shown: its language, and no horizontal scrolling at this width."""
    assert await page.get_attribute("html", "lang") == lang, page.url
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, width, overflow)
    text = await page.inner_text("main")
    if lang != "en":
        assert ENGLISH.findall(text.replace("meli-events", "")) == [], (page.url, text)
    seen.append(await page.get_by_role("heading", level=1).inner_text())


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_every_page_in_each_language_at_desktop_and_phone_width(stack: Stack, lang: str) -> None:
    chromium = chromium_or_skip()
    seller = (await stack.sandbox.sellers())["MCO"]
    accept, connect, allow, disconnect, confirm = LANGUAGES[lang]
    seen: list[str] = []

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width, height in ((1280, 800), (375, 740)):
            context = await browser.new_context(locale=accept, viewport={"width": width, "height": height})
            page = await context.new_page()
            await page.goto(f"{stack.base}/")
            await check(page, lang, width, seen)
            await page.goto(f"{stack.base}/accounts")  # no session yet: a page that says how to get one
            await check(page, lang, width, seen)
            link = await ConnectLinks(stack.context.db, link_options(stack.settings)).issue(
                stack.business_id, None, now=utcnow()
            )
            await page.goto(link.url)
            await check(page, lang, width, seen)
            await page.get_by_role("button", name=connect).click()
            await page.wait_for_url(f"{stack.sandbox.base}/**")
            await page.get_by_label("Seller login").fill(seller["login"])
            await page.get_by_role("button", name=allow).click()
            await page.wait_for_url(f"{stack.base}/accounts/*")
            await check(page, lang, width, seen)
            await page.get_by_role("button", name=disconnect).click()
            await check(page, lang, width, seen)
            await page.get_by_role("button", name=confirm).click()
            await check(page, lang, width, seen)
            await page.goto(link.url)  # the link was spent by the connect
            await check(page, lang, width, seen)
            await context.close()
        await browser.close()

    assert len(seen) == 14 and seen[:7] == seen[7:]
    assert seen[0] == "meli-events"
    if lang == "es":
        assert seen[2:7] == ["Conecta tu cuenta de Mercado Libre con Tienda Uno",
                             f"Conectada como {seller['nickname']} (MCO)",
                             f"¿Desconectar {seller['nickname']} (MCO)?",
                             f"{seller['nickname']} (MCO) está desconectada",
                             "Este enlace de conexión ya se usó"]  # fmt: skip
