"""A merchant in headless Chromium: connect link -> Connect -> ML sign-in + Allow -> "Connected as ...".

Needs the Debian `chromium` package (Playwright's own browser download is not reachable); the test is
skipped, saying so, when it is missing. The pages it passes are README's screenshots: `docs/connect-link.png`
(the connect link's page) and `docs/connect.png` (the account page after connecting); the times on them are
masked, so the pictures change only when the pages do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright

from tests.connect.conftest import Stack
from tests.harness.browser import chromium_or_skip, seller_and_link

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Clicks:
    """Counts the clicks a person makes on our pages (ML's own pages are not ours to count)."""

    def __init__(self, page: Page, our_base: str) -> None:
        self.page, self.our_base, self.on_our_pages = page, our_base, 0

    async def click(self, target: Locator) -> None:
        if self.page.url.startswith(self.our_base):
            self.on_our_pages += 1
        await target.click()


async def screenshot(page: Page, name: str) -> None:
    """Save our page's card as `docs/NAME` (README shows it), the times masked; an unchanged picture is not
    written again."""
    times = page.locator("dd").filter(has_text="UTC")
    picture = await page.locator("main").screenshot(mask=[times], mask_color="#d5d5dc", animations="disabled")
    target = DOCS / name
    if not target.exists() or target.read_bytes() != picture:
        target.write_bytes(picture)


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_merchant_connects_in_chromium_with_one_click_on_our_pages(stack: Stack) -> None:
    chromium = chromium_or_skip()
    seller, link_url = await seller_and_link(stack)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 412, "height": 915})  # a phone
        clicks = Clicks(page, stack.base)
        await page.goto(link_url)
        await screenshot(page, "connect-link.png")
        connect_title = await page.title()
        site = await page.get_by_label("Your Mercado Libre country").input_value()
        await clicks.click(page.get_by_role("button", name="Connect Mercado Libre"))
        await page.wait_for_url(f"{stack.sandbox.base}/auth.mercadolibre.com.co/authorization?**")
        await page.get_by_label("Seller login").fill(seller["login"])
        await clicks.click(page.get_by_role("button", name="Allow"))
        await page.wait_for_url(f"{stack.base}/accounts/*")
        done = await page.get_by_role("heading", level=1).inner_text()
        status = await page.locator("dd.status-active").inner_text()
        past_orders = await page.locator("ul.import").inner_text()
        await screenshot(page, "connect.png")
        details = await page.locator("dl").inner_text()
        await page.get_by_role("button", name="Disconnect").click()
        asked = await page.get_by_role("heading", level=1).inner_text()
        await page.get_by_role("button", name="Keep it connected").click()
        kept = await page.get_by_role("heading", level=1).inner_text()
        await browser.close()

    assert connect_title == "Connect your Mercado Libre account to Tienda Uno"
    assert site == "MCO"
    assert done == f"Connected as {seller['nickname']} (MCO)"
    assert status == "Active"
    assert past_orders.splitlines() == ["Recent orders: waiting to start", "Older orders: waiting to start"]
    assert clicks.on_our_pages == 1
    assert "Access valid until" not in details
    assert asked == f"Disconnect {seller['nickname']} (MCO)?"
    assert kept == done
    assert (DOCS / "connect.png").stat().st_size > 10_000 and (DOCS / "connect-link.png").stat().st_size > 10_000
