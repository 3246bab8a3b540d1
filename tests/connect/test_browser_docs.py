"""/docs in headless Chromium: the Swagger UI viewer, served by the app itself, lists every business API
operation, with no request leaving the app and nothing refused by the page's policy. Skipped, saying so, without
the Debian `chromium` package."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.async_api import ConsoleMessage, Request, async_playwright

from tests.connect.conftest import Stack
from tests.connect.test_browser import CHROMIUM_ARGS
from tests.harness.browser import chromium_or_skip
from worker.settings import Settings
from worker.web.docs_viewer import public_document


@pytest.mark.browser
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_docs_shows_every_business_api_operation_offline(stack: Stack) -> None:
    chromium = chromium_or_skip()
    document = public_document(Settings(_env_file=None).ml_redirect_uri)
    expected = sorted(f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item)
    hosts: set[str] = set()
    complaints: list[str] = []

    def keep_host(request: Request) -> None:
        hosts.add(urlsplit(request.url).netloc)

    def keep_complaint(message: ConsoleMessage) -> None:
        if message.type == "error":
            complaints.append(f"{message.text} {message.location.get('url', '')}")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("request", keep_host)
        page.on("console", keep_complaint)
        await page.goto(f"{stack.base}/docs")
        await page.locator(".opblock").first.wait_for()
        blocks = page.locator(".opblock-summary")
        shown = [
            f"{(await block.locator('.opblock-summary-method').inner_text()).strip()} "
            f"{(await block.locator('.opblock-summary-path').get_attribute('data-path'))}"
            for block in await blocks.all()
        ]
        intro = await page.locator("main").first.inner_text()
        await browser.close()

    assert sorted(shown) == expected
    assert "Authorization: Bearer $MELI_API_KEY" in intro
    assert hosts == {urlsplit(stack.base).netloc}
    assert complaints == []
