"""Connect links (stored, expiring, single use, bound to a business) through the CLI, the API and the connect page."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.connect.conftest import Browser, Stack, fetch, url_query
from tests.harness.cli import meli
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.context import link_options
from worker.store.businesses import create_business
from worker.store.links import LinkKind


async def test_an_expired_link_gets_a_410_page(stack: Stack, browser: Browser) -> None:
    links = ConnectLinks(stack.context.db, link_options(stack.settings))
    old = await links.issue(stack.business_id, None, now=utcnow() - timedelta(hours=24, seconds=1))

    page = await browser.get("/connect", params={"token": old.token})
    start = await browser.post("/connect/start", data={"token": old.token, "site": "MCO"})

    assert page.status == 410 and start.status == 410
    assert "<h1>This connect link has expired</h1>" in page.text
    assert "Connect links work for 24 hours" in page.text


async def owner_token(stack: Stack, _token: str) -> str:
    links = ConnectLinks(stack.context.db, link_options(stack.settings))
    return (await links.issue(stack.business_id, None, now=utcnow(), kind=LinkKind.OWNER)).token


async def changed(_stack: Stack, token: str) -> str:
    return token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")


async def fixed(value: str, _stack: Stack, _token: str) -> str:
    return value


@pytest.mark.parametrize(
    ("make", "status"),
    [(changed, 404), (partial(fixed, "not-a-token"), 400), (partial(fixed, ""), 400), (partial(fixed, "A" * 43), 404),
     (owner_token, 404)],
    ids=["changed", "garbage", "empty", "made-up", "owner-link"],
)  # fmt: skip
async def test_a_tampered_or_foreign_link_gets_a_friendly_page(
    stack: Stack, browser: Browser, make: Callable[[Stack, str], Awaitable[str]], status: int
) -> None:
    """Not the shape of a link token: 400; the shape of one, but no such connect link: 404."""
    token = await make(stack, await stack.connect_token())

    page = await browser.get("/connect", params={"token": token})
    start = await browser.post("/connect/start", data={"token": token, "site": "MCO"})

    assert page.status == start.status == status
    assert "<h1>This connect link is not valid</h1>" in page.text
    assert page.headers["Content-Type"].startswith("text/html") and "Traceback" not in page.text


async def test_a_link_without_token_gets_a_friendly_400(browser: Browser) -> None:
    page = await browser.get("/connect")

    assert page.status == 400 and "<h1>This connect link is not valid</h1>" in page.text


async def test_the_api_makes_a_link_for_the_key_owner(stack: Stack, browser: Browser) -> None:
    response = await fetch(
        stack.sandbox.http,
        "POST",
        f"{stack.base}/api/v1/connect-links",
        headers={"Authorization": f"Bearer {stack.api_key}"},
        json={"site": "mla"},
    )
    body = json.loads(response.text)
    page = await browser.get(urlsplit(body["url"]).path, params=url_query(body["url"]))

    assert response.status == 201
    assert (body["business_id"], body["site"]) == (stack.business_id, "MLA")
    assert body["url"].startswith(f"{stack.base}/connect?token=")
    assert body["expires_at"].endswith("Z")
    assert page.status == 200 and "<strong>Tienda Uno</strong>" in page.text


@pytest.mark.parametrize("authorization", [None, "Bearer mk_wrong", "Basic abc", "Bearer "])
async def test_the_api_refuses_a_missing_or_wrong_key(stack: Stack, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = await fetch(stack.sandbox.http, "POST", f"{stack.base}/api/v1/connect-links", headers=headers)

    assert response.status == 401
    assert json.loads(response.text)["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_api_refuses_an_unknown_site(stack: Stack) -> None:
    response = await fetch(
        stack.sandbox.http,
        "POST",
        f"{stack.base}/api/v1/connect-links",
        headers={"Authorization": f"Bearer {stack.api_key}"},
        json={"site": "XX"},
    )

    assert response.status == 400 and json.loads(response.text)["error"] == "invalid_request"


async def test_the_cli_prints_a_link_for_an_existing_business(tmp_path: Path, stack: Stack) -> None:
    env = {"PATH": "/usr/bin:/bin", "MELI_DATABASE_URL": stack.settings.database_url}
    env["MELI_PUBLIC_BASE_URL"] = stack.base
    second, _ = await create_business(stack.context.db, "Otra", "AR")

    made = await meli("connect-link", "--business", str(second.id), "--site", "MLA", env=env, cwd=tmp_path)
    missing = await meli("connect-link", "--business", "999", env=env, cwd=tmp_path)
    grant = await ConnectLinks(stack.context.db, link_options(stack.settings)).read(
        url_query(made.stdout.strip())["token"], now=utcnow()
    )

    assert made.returncode == 0 and made.stdout.startswith(f"{stack.base}/connect?token=")
    assert made.stderr.startswith("valid until ")
    assert (grant.business_id, grant.site_id) == (second.id, "MLA")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "error: no business 999 (create one with `meli business create`)\n"
