"""The sandbox's sign-in page (the fake ML authorization page) on a 375 px phone in headless Chromium: nothing
wider than the screen, every control of the form on screen and usable, and Allow finishes the connect. Skipped,
saying so, without the Debian `chromium` package."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from tests.connect.conftest import Stack
from tests.connect.test_browser import CHROMIUM_ARGS
from tests.harness.browser import chromium_or_skip, seller_and_link

WIDTH = 375


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_the_sandbox_sign_in_page_fits_a_375px_phone(stack: Stack) -> None:
    chromium = chromium_or_skip()
    seller, link_url = await seller_and_link(stack)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="es-CO", viewport={"width": WIDTH, "height": 740})
        page = await context.new_page()
        await page.goto(link_url)
        await page.get_by_role("button", name="Conectar Mercado Libre").click()
        await page.wait_for_url(f"{stack.sandbox.base}/**")
        scroll_width = await page.evaluate("document.documentElement.scrollWidth")
        login = page.get_by_label("Seller login")
        controls = [login, page.get_by_role("button", name="Allow"), page.get_by_role("button", name="Deny")]
        boxes = [await control.bounding_box() for control in controls]
        await login.fill(seller["login"])
        await page.get_by_role("button", name="Allow").click()
        await page.wait_for_url(f"{stack.base}/accounts/*")
        await context.close()
        await browser.close()

    assert scroll_width <= WIDTH
    assert all(box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH for box in boxes), boxes
    assert all(box is not None and box["height"] >= 24 for box in boxes), boxes
