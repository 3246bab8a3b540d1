"""Tenants (a business with its API key, a connected seller and events) and the app served from a thread.

schemathesis calls the API with a blocking HTTP client, so the fuzz tests serve the real app on 127.0.0.1
from an event loop in a background thread; the async attack tests use the same tenants with aiohttp's
TestClient.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestServer

from connectors.events import Subscriber
from sandboxes.hellotext import create_hellotext_app
from tests.conftest import _truncate
from tests.harness.shop import add_order, paid_order, record
from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.connect.signing import BusinessKeys
from worker.connect.state import random_token
from worker.context import AppContext, app_context, link_options
from worker.settings import Settings
from worker.store.accounts import TokenSet, link_account
from worker.store.businesses import create_business
from worker.store.events import append_events, read_events
from worker.store.models import Business
from worker.web.app import create_app
from worker.web.pages.sessions import BROWSER_COOKIE, CSRF_TTL, SESSION_COOKIE, _digest, session_token

T0 = datetime(2026, 11, 20, 14, 2, 13, tzinfo=UTC)


@dataclass(frozen=True)
class Tenant:
    business_id: int
    api_key: str
    account_id: int
    seller_id: int
    event_ids: tuple[int, ...]
    session: str  # the session cookie of the browser that connected the seller (as the OAuth callback sets it)
    browser_id: str  # that browser's `meli_connect` cookie
    link: str  # a connect link token of the business
    start_csrf: str  # the connect page's CSRF token for that link and browser

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def browser(self, settings: Settings) -> dict[str, str]:
        """The cookies of the browser that connected this business's seller."""
        return {SESSION_COOKIE: self.session, BROWSER_COOKIE: self.browser_id}

    def connect_token(self, settings: Settings) -> str:
        return self.link


async def browser_state(context: AppContext, business: Business, account_id: int) -> tuple[str, str, str, str]:
    """(session cookie, browser cookie, link token, connect-page CSRF token) of a browser that connected."""
    keys = BusinessKeys(context.settings.secret_key.get_secret_value())
    session = session_token(keys, business, random_token(32), frozenset({account_id}), False)
    assert business.id is not None
    link = await ConnectLinks(context.db, link_options(context.settings)).issue(business.id, "MCO", now=utcnow())
    browser = random_token(43)
    claims = {"b": _digest(browser), "s": f"link:{link.id}"}
    csrf = keys.signer(business, "connect-start").sign(claims, now=utcnow(), ttl=CSRF_TTL)
    return session, browser, link.token, csrf


async def add_tenant(context: AppContext, name: str, seller_id: int, events: int) -> Tenant:
    """Given a business with one connected seller, one buyer, one order and `events` events."""
    db = context.db
    business, api_key = await create_business(db, name, "CO")
    assert business.id is not None
    tokens = TokenSet("APP_USR-fuzz", "TG-fuzz", datetime.now(UTC) + timedelta(hours=6), "offline_access read")
    account = await link_account(
        db, context.cipher, business_id=business.id, seller_id=seller_id, site_id="MCO", nickname=name.upper(),
        tokens=tokens,
    )  # fmt: skip
    assert account.id is not None
    buyer = Subscriber(f"buyer-{seller_id}", "mercadolibre")
    shop = await add_order(db, business.id, buyer, paid_order(f"{seller_id}0001", updated_at=T0))
    await append_events(db, business.id, [record(shop, f"{name}-{n}") for n in range(events)])
    ids = tuple(view.id for view in await read_events(db, business_id=business.id, limit=1000))
    return Tenant(business.id, api_key, account.id, seller_id, ids, *await browser_state(context, business, account.id))


async def forget_redis_keys(context: AppContext, queue: str) -> None:
    """Drop the run's queue, its arq job keys and the OAuth states started under its namespace."""
    for pattern in (queue, f"{queue}:*", f"arq:job:{queue}:*", f"arq:result:{queue}:*"):
        keys = [key async for key in context.redis.scan_iter(match=pattern)]
        if keys:
            await context.redis.delete(*keys)


class LiveApp:
    """`create_app` on 127.0.0.1 in a background thread, with two tenants; `url` once `start()` returned."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self.tenants: tuple[Tenant, ...] = ()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)
        self._error: BaseException | None = None

    def start(self) -> LiveApp:
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise RuntimeError(f"the app did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    async def _serve(self) -> None:
        hellotext = TestServer(create_hellotext_app(), host="127.0.0.1")  # PUT /api/v1/hellotext checks tokens there
        await hellotext.start_server()
        self.settings = self.settings.model_copy(
            update={"hellotext_api_base_url": str(hellotext.make_url("")).rstrip("/")}
        )
        try:
            async with app_context(self.settings) as context:
                await _truncate(context.db)
                await context.redis.delete(self.settings.queue_name)
                self.tenants = (
                    await add_tenant(context, "alfa", 700000001, events=3),
                    await add_tenant(context, "beta", 700000002, events=2),
                )
                server = TestServer(create_app(context), host="127.0.0.1")
                await server.start_server()
                self.url = str(server.make_url("")).rstrip("/")
                self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
                self._ready.set()
                await self._stop.wait()
                await server.close()
                await forget_redis_keys(context, self.settings.queue_name)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        finally:
            await hellotext.close()
