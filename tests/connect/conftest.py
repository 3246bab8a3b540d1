"""A real sandbox and our real web app on loopback, over the real database (both kinds) and Redis.

`stack` gives a business with its API key, our app and the sandbox. `Browser` walks the connect flow the way
a merchant does: connect page, Connect button, ML's sign-in form (Allow or Deny), back to our callback.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestServer, get_port_socket
from multidict import CIMultiDictProxy

from sandboxes.mercadolibre import SandboxConfig, create_sandbox_app
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.context import AppContext, app_context, link_options
from worker.settings import Settings, one_server
from worker.store.businesses import create_business
from worker.store.db import Database
from worker.store.models import Business
from worker.web.app import create_app


@dataclass(frozen=True)
class Page:
    status: int
    headers: CIMultiDictProxy[str]
    text: str

    @property
    def location(self) -> str:
        return self.headers["Location"]


async def fetch(session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Page:
    """One request, redirects not followed, body read."""
    async with session.request(method, url, allow_redirects=False, **kwargs) as response:
        return Page(response.status, response.headers, await response.text())


def browser_session(base: str) -> aiohttp.ClientSession:
    """A cookie-keeping session like a browser's (cookies of 127.0.0.1 included) that prefers English."""
    return aiohttp.ClientSession(
        base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "en"}
    )


@dataclass
class Sandbox:
    base: str
    http: aiohttp.ClientSession

    async def sellers(self) -> dict[str, dict[str, Any]]:
        """Test sellers by site id."""
        async with self.http.get(f"{self.base}/_sandbox/sellers") as response:
            return {seller["site_id"]: seller for seller in (await response.json())["sellers"]}

    async def token_calls(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.base}/_sandbox/requests", params={"path_prefix": "/oauth/token"}) as r:
            return list((await r.json())["requests"])

    async def clear_log(self) -> None:
        async with self.http.delete(f"{self.base}/_sandbox/requests") as response:
            assert response.status in (200, 204)

    async def control(self, path: str) -> Any:
        async with self.http.post(f"{self.base}/_sandbox{path}") as response:
            assert response.status in (200, 201), await response.text()
            return await response.json()

    async def faults(self, **knobs: float) -> None:
        async with self.http.put(f"{self.base}/_sandbox/faults", json=knobs) as response:
            assert response.status == 200, await response.text()

    async def me_status(self, access_token: str) -> int:
        async with self.http.get(f"{self.base}/users/me", headers={"Authorization": f"Bearer {access_token}"}) as r:
            return r.status


@dataclass
class Stack:
    settings: Settings
    context: AppContext
    base: str
    sandbox: Sandbox
    business: Business
    api_key: str

    @property
    def business_id(self) -> int:
        assert self.business.id is not None
        return self.business.id

    async def connect_token(self, business_id: int | None = None, site: str | None = None) -> str:
        links = ConnectLinks(self.context.db, link_options(self.settings))
        return (await links.issue(business_id or self.business_id, site, now=utcnow())).token


def url_query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def form_field(html: str, name: str) -> str:
    """The value of a hidden field of the page's (first) form."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@dataclass
class Browser:
    """One merchant's browser: our app through `ours` (keeps our cookies), ML's pages through `ml`."""

    ours: aiohttp.ClientSession
    ml: aiohttp.ClientSession

    async def get(self, path: str, **kwargs: Any) -> Page:
        return await fetch(self.ours, "GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Page:
        return await fetch(self.ours, "POST", path, **kwargs)

    async def start(self, token: str, site: str = "MCO", **extra: str) -> str:
        """Open the connect page and press Connect; returns the ML authorization URL we redirect to."""
        page = await self.get("/connect", params={"token": token})
        assert page.status == 200, page.text
        fields = {"token": token, "site": site, "csrf": form_field(page.text, "csrf"), **extra}
        started = await self.post("/connect/start", data=fields)
        assert started.status == 303, started.text
        return started.location

    async def at_ml(self, authorization_url: str, login: str, decision: str = "allow") -> str:
        """Sign in on ML's page and press Allow or Deny; returns where ML sends the browser back."""
        form = {**url_query(authorization_url), "login": login, "decision": decision}
        page = await fetch(self.ml, "POST", authorization_url.split("?")[0], data=form)
        assert page.status == 302, page.text
        return page.location

    async def back(self, callback_url: str, **kwargs: Any) -> Page:
        return await self.get(path_and_query(callback_url), **kwargs)

    async def connect(self, token: str, login: str, site: str = "MCO") -> Page:
        return await self.back(await self.at_ml(await self.start(token, site), login))


async def start_sandbox(callback_url: str) -> TestServer:
    config = SandboxConfig(sellers=4, orders=0, redirect_uris=[callback_url], pkce_required=True)
    server = TestServer(create_sandbox_app(config), host="127.0.0.1")
    await server.start_server()
    return server


def stack_settings(base: Settings, database_url: str, sandbox_base: str, port: int) -> Settings:
    return base.model_copy(
        update={
            "database_url": database_url,
            **one_server(sandbox_base),
            "ml_redirect_uri": f"http://127.0.0.1:{port}/oauth/callback",
            "public_base_url": f"http://127.0.0.1:{port}",
        }
    )


@pytest.fixture
async def stack(db: Database, settings: Settings) -> AsyncIterator[Stack]:
    listening = get_port_socket("127.0.0.1", 0, socket.AF_INET)  # held from now on: no other server can take it
    port = int(listening.getsockname()[1])
    sandbox_server = await start_sandbox(f"http://127.0.0.1:{port}/oauth/callback")
    sandbox_base = str(sandbox_server.make_url("")).rstrip("/")
    url = db.engine.url.render_as_string(hide_password=False)
    business, api_key = await create_business(db, "Tienda Uno", "CO")
    async with app_context(stack_settings(settings, url, sandbox_base, port)) as context:
        server = TestServer(create_app(context), host="127.0.0.1", port=port, socket_factory=lambda *_: listening)
        await server.start_server()
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            yield Stack(context.settings, context, base, Sandbox(sandbox_base, http), business, api_key)
        await server.close()
    await sandbox_server.close()


@asynccontextmanager
async def open_browser(stack: Stack) -> AsyncIterator[Browser]:
    async with browser_session(stack.base) as ours, aiohttp.ClientSession() as ml:
        yield Browser(ours, ml)


@pytest.fixture
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    async with open_browser(stack) as opened:
        yield opened


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for our own clients (the token provider, the ML client)."""
    async with aiohttp.ClientSession() as session:
        yield session
