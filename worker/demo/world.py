"""The processes of the demo, in one event loop: the sandbox, the web app and the arq worker."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from connectors.errors import Unavailable
from connectors.mercadolibre.constants import site
from sandboxes.hellotext import Faults, create_hellotext_app
from sandboxes.mercadolibre import SandboxConfig, create_sandbox_app
from worker.connect.links import ConnectLinks
from worker.context import AppContext, app_context
from worker.demo.handoff import DemoBusiness, owner_link
from worker.demo.services import free_port
from worker.jobs.runtime import build_worker
from worker.settings import Settings, one_server
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.web.app import create_app


async def _serve(app: web.Application, host: str, port: int, option: str) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            hint = f": choose another with {option} PORT" if option else ""
            raise Unavailable(f"port {port} is already in use on {host}{hint}") from None
        raise Unavailable(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return runner


@dataclass
class DemoWorld:
    settings: Settings
    context: AppContext
    sandbox_url: str
    web_url: str
    http: aiohttp.ClientSession
    hellotext_url: str

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.sandbox_url}{path}", json=body) as response:
            if response.status >= 300:
                raise Unavailable(f"sandbox control {method} {path} answered {response.status}")
            return await response.json()

    async def connect_seller(self, seller: dict[str, Any]) -> DemoBusiness:
        """A business per seller, connected with tokens the sandbox grants; returns the business, its API key and
        a link to its account page."""
        known = site(seller["site_id"])
        country = known.country if known is not None else "CO"
        business, api_key = await create_business(self.context.db, f"Demo {seller['nickname']}", country)
        assert business.id is not None
        pair = await self.control("POST", f"/_sandbox/sellers/{seller['id']}/tokens")
        expires = datetime.now(UTC) + timedelta(seconds=pair["expires_in"])
        tokens = TokenSet(pair["access_token"], pair["refresh_token"], expires, pair["scope"])
        await link_account(
            self.context.db, self.context.cipher, business_id=business.id, seller_id=seller["id"],
            site_id=seller["site_id"], nickname=seller["nickname"], tokens=tokens,
        )  # fmt: skip
        page = await owner_link(ConnectLinks(self.context.db, self.settings), business.id)
        return DemoBusiness(business.id, business.name, api_key, page)


@asynccontextmanager
async def demo_world(
    settings: Settings, sandbox: SandboxConfig, sandbox_port: int, hellotext_faults: Faults | None = None
) -> AsyncIterator[DemoWorld]:
    host = settings.web_host
    sandbox_url, web_url = f"http://{host}:{sandbox_port}", f"http://{host}:{settings.web_port}"
    sandbox.callback_url = f"{web_url}/webhooks/mercadolibre"
    # The demo's pages and links live where its web app listens, whatever --port says.
    here = {"public_base_url": web_url, "ml_redirect_uri": f"{web_url}/oauth/callback"}
    settings = settings.model_copy(update=one_server(sandbox_url) | here)
    sandbox.redirect_uris = [settings.ml_redirect_uri]
    hellotext_port = free_port()
    hellotext_url = f"http://{host}:{hellotext_port}"  # the fake Hellotext
    settings = settings.model_copy(update={"hellotext_api_base_url": hellotext_url})
    sandbox_runner = await _serve(create_sandbox_app(sandbox), host, sandbox_port, "--sandbox-port")
    hellotext_runner = await _serve(create_hellotext_app(faults=hellotext_faults), host, hellotext_port, "")
    try:
        async with app_context(settings) as context, aiohttp.ClientSession() as http:
            web_runner = await _serve(create_app(context), host, settings.web_port, "--port")
            worker = build_worker(settings, handle_signals=False)
            worker_task = asyncio.create_task(worker.async_run())
            try:
                yield DemoWorld(settings, context, sandbox_url, web_url, http, hellotext_url)
            finally:
                worker_task.cancel()
                await asyncio.gather(worker_task, return_exceptions=True)
                await worker.close()
                await web_runner.cleanup()
    finally:
        await hellotext_runner.cleanup()
        await sandbox_runner.cleanup()
