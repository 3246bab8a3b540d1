"""A seller connected the way a person does it (a connect link, the sandbox's consent page, our callback), and
the Chromium that does it."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.connect.conftest import Browser, Stack
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.context import link_options


def chromium_or_skip() -> str:
    """The Debian `chromium` executable; the test is skipped, saying so, without it."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian package `chromium` is not installed (apt-get install -y chromium)")
    return chromium


async def seller_and_link(stack: Stack, site: str = "MCO") -> tuple[dict[str, Any], str]:
    """The sandbox's seller of `site` and the URL of a fresh connect link of the stack's business."""
    seller = (await stack.sandbox.sellers())[site]
    link = await ConnectLinks(stack.context.db, link_options(stack.settings)).issue(stack.business_id, None,
                                                                                    now=utcnow())  # fmt: skip
    return seller, link.url


async def connected(
    stack: Stack, browser: Browser, site: str = "MCO", *, token: str | None = None, business_id: int | None = None
) -> int:
    """The sandbox's seller of `site` connected through `browser` (with `token`, or a fresh link of `business_id`
    or the stack's business); returns the new account id."""
    seller = (await stack.sandbox.sellers())[site]
    back = await browser.connect(token or await stack.connect_token(business_id), seller["login"], site)
    assert back.status == 303, back.text
    return int(back.location.rsplit("/", 1)[1])
