"""The processes of the demo, in one event loop: the sandbox, the web app and the arq worker."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from connectors.mercadolibre.constants import site
from sandboxes.hellotext import Faults, create_hellotext_app
from sandboxes.mercadolibre import SandboxConfig, create_sandbox_app
from worker.connect.links import ConnectLinks
from worker.context import AppContext, app_context, link_options
from worker.demo.handoff import DemoBusiness, owner_link
from worker.demo.sellers import granted_tokens, link_seller
from worker.demo.services import free_port
from worker.errors import Unavailable
from worker.jobs.runtime import build_worker
from worker.settings import Settings, one_server
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


async def _internal(runner: web.AppRunner, settings: Settings) -> str:
    """The web app on the internal listener too (/metrics, /healthz/details, /openapi.json), as `meli serve` does;
    its URL, or "" when MELI_INTERNAL_PORT is 0 or taken (another web process of this machine holds it)."""
    if not settings.internal_port:
        return ""
    try:
        await web.TCPSite(runner, settings.internal_host, settings.internal_port).start()
    except OSError:
        return ""
    return f"http://{settings.internal_host}:{settings.internal_port}"


@dataclass
class SandboxWorld:
    """Our web app and the ML sandbox it talks to, with the sandbox's control API at hand (the demo's world and
    the end-to-end tests' world are both one)."""

    settings: Settings
    context: AppContext
    sandbox_url: str
    web_url: str
    http: aiohttp.ClientSession

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.sandbox_url}{path}", json=body) as response:
            if response.status >= 300:
                raise Unavailable(f"sandbox control {method} {path} answered {response.status}")
            return await response.json()

    async def sellers(self) -> list[dict[str, Any]]:
        return list((await self.control("GET", "/_sandbox/sellers"))["sellers"])


@dataclass
class DemoWorld(SandboxWorld):
    hellotext_url: str
    internal_url: str = ""  # where /metrics answers: the web's and the worker's metrics, one registry

    async def connect_seller(self, seller: dict[str, Any]) -> DemoBusiness:
        """A business per seller, connected with tokens the sandbox grants; returns the business, its API key and
        a link to its account page."""
        known = site(seller["site_id"])
        country = known.country if known is not None else "CO"
        tokens = granted_tokens(await self.control("POST", f"/_sandbox/sellers/{seller['id']}/tokens"))
        linked = await link_seller(
            self.context.db, self.context.cipher, (f"Demo {seller['nickname']}", country),
            (seller["id"], seller["site_id"], seller["nickname"]), tokens,
        )  # fmt: skip
        page = await owner_link(ConnectLinks(self.context.db, link_options(self.settings)), linked.business_id)
        return DemoBusiness(linked.business_id, linked.business_name, linked.api_key, page)


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
    settings = settings.model_copy(
        update={"hellotext_api_base_url": hellotext_url, "outbound_webhooks_allow_local": True}
    )
    sandbox_runner = await _serve(create_sandbox_app(sandbox), host, sandbox_port, "--sandbox-port")
    hellotext_runner = await _serve(create_hellotext_app(faults=hellotext_faults), host, hellotext_port, "")
    try:
        async with app_context(settings) as context, aiohttp.ClientSession() as http:
            web_runner = await _serve(create_app(context), host, settings.web_port, "--port")
            internal_url = await _internal(web_runner, settings)
            # One process, one set of metrics: the worker counts into the web app's, which /metrics serves.
            worker = build_worker(settings, handle_signals=False, metrics=context.metrics)
            worker_task = asyncio.create_task(worker.async_run())
            try:
                yield DemoWorld(settings, context, sandbox_url, web_url, http, hellotext_url, internal_url)
            finally:
                worker_task.cancel()
                await asyncio.gather(worker_task, return_exceptions=True)
                await worker.close()
                await web_runner.cleanup()
    finally:
        await hellotext_runner.cleanup()
        await sandbox_runner.cleanup()
