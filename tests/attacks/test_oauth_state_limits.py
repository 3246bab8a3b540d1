"""One link, or one client address, cannot create OAuth states without limit (a link used to create 2,270 Redis
keys in 5 s): past `MELI_CONNECT_STARTS_PER_LINK` / `..._PER_ADDRESS` an hour, `POST /connect/start` answers 429
with Retry-After and stores nothing."""

from __future__ import annotations

import pytest

from tests.connect.conftest import Browser, Stack, browser, form_field, stack
from tests.connect.test_connect_flow import heading
from worker.settings import Settings

__all__ = ["browser", "stack"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"connect_starts_per_link": 5, "connect_starts_per_address": 8})


async def oauth_states(stack: Stack) -> int:
    return len([key async for key in stack.context.redis.scan_iter(match=f"{stack.settings.queue_name}:oauth-state:*")])


async def starts(browser: Browser, token: str, times: int) -> list[int]:
    page = await browser.get("/connect", params={"token": token})
    fields = {"token": token, "site": "MCO", "csrf": form_field(page.text, "csrf")}
    return [(await browser.post("/connect/start", data=fields)).status for _ in range(times)]


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_sign_ins_are_limited_per_link_and_per_address(stack: Stack, browser: Browser) -> None:
    first = await starts(browser, await stack.connect_token(), 7)
    second = await starts(browser, await stack.connect_token(), 4)
    page = await browser.get("/connect", params={"token": await stack.connect_token()})
    refused = await browser.post("/connect/start", data={"token": "x" * 43, "site": "MCO"})  # before any limit
    limited = await browser.post(
        "/connect/start",
        data={"token": form_field(page.text, "token"), "site": "MCO", "csrf": form_field(page.text, "csrf")},
    )

    assert first == [303] * 5 + [429] * 2  # the link's 5 (refusals spend nothing)
    assert second == [303] * 3 + [429]  # the address's 8
    assert refused.status == 404
    assert limited.status == 429 and heading(limited.text) == "Too many sign-ins were started"
    assert 1 <= int(limited.headers["Retry-After"]) <= 3600
    assert await oauth_states(stack) == 8
