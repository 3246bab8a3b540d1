"""An offline world for end-to-end tests: the sandbox and our web app on loopback, real DB and Redis, and the
real arq worker run in burst mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from sandboxes.mercadolibre import SandboxConfig, create_sandbox_app
from tests.conftest import _truncate
from worker.context import app_context
from worker.demo.sellers import granted_tokens, link_seller
from worker.demo.world import SandboxWorld
from worker.jobs.runtime import build_worker
from worker.settings import Settings, one_server
from worker.store.events import read_events
from worker.web.app import create_app


@dataclass
class World(SandboxWorld):
    async def connect(self, seller_id: int, site_id: str = "MCO") -> tuple[int, int]:
        """A business with the seller connected through tokens the sandbox issued; returns (business, account)."""
        tokens = granted_tokens(await self.control("POST", f"/_sandbox/sellers/{seller_id}/tokens"))
        linked = await link_seller(
            self.context.db, self.context.cipher, (f"Tienda {seller_id}", "CO"),
            (seller_id, site_id, f"SELLER{seller_id}"), tokens,
        )  # fmt: skip
        return linked.business_id, linked.account_id

    async def deliveries_settled(self, within: float = 30.0) -> None:
        """Wait until the sandbox has no notification left to deliver."""
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            pending = await self.control("GET", "/_sandbox/notifications?state=pending")
            if pending["total"] == 0:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("sandbox deliveries did not settle")

    async def run_worker(self) -> None:
        worker = build_worker(self.settings, burst=True, handle_signals=False)
        try:
            await worker.async_run()
        finally:
            await worker.close()

    async def expected(self, seller_id: int) -> list[dict[str, Any]]:
        body = await self.control("GET", f"/_sandbox/expected-events?seller_id={seller_id}&include_delivered=false")
        return list(body["events"])

    async def stored(self, business_id: int) -> list[dict[str, Any]]:
        views = await read_events(self.context.db, business_id=business_id, limit=100_000)
        keys = ("action", "order_reference", "tracked_at", "amount", "currency", "dedupe_key")
        rows = [{k: view.to_json()[k] for k in keys} | {"buyer_id": view.subscriber_external_id} for view in views]
        return sorted(rows, key=lambda e: (e["tracked_at"], e["dedupe_key"]))


@asynccontextmanager
async def offline_world(settings: Settings, config: SandboxConfig) -> AsyncIterator[World]:
    sandbox = TestServer(create_sandbox_app(config), host="127.0.0.1")
    await sandbox.start_server()
    sandbox_url = str(sandbox.make_url("")).rstrip("/")
    urls = one_server(sandbox_url)
    settings = settings.model_copy(update=urls | {"ml_app_rate": 2000.0, "ml_seller_rate": 1000.0})
    try:
        async with app_context(settings) as context:
            await _truncate(context.db)
            await context.redis.delete(settings.queue_name)
            web_server = TestServer(create_app(context), host="127.0.0.1")
            await web_server.start_server()
            web_url = str(web_server.make_url("")).rstrip("/")
            async with aiohttp.ClientSession() as http:
                world = World(settings, context, sandbox_url, web_url, http)
                await world.control("PUT", "/_sandbox/callback", {"url": f"{web_url}/webhooks/mercadolibre"})
                try:
                    yield world
                finally:
                    await web_server.close()
    finally:
        await sandbox.close()


def oracle_view(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("action", "order_reference", "tracked_at", "amount", "currency", "dedupe_key", "buyer_id")
    return sorted(({k: e[k] for k in keys} for e in events), key=lambda e: (e["tracked_at"], e["dedupe_key"]))
