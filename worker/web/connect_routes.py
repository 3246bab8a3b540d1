"""The merchant's connect flow: `GET /connect?token=` and `POST /connect/start` (the callback and its
confirmation: `callback_routes`).

Two clicks at most on our side: "Connect Mercado Libre" on the connect page (the site is preselected), then
ML's own sign-in and "Allow", then the account page ("Connected as NICKNAME (SITE)"). The only redirects we
issue go to the ML authorization URL built from settings or to our own pages: no `next=` is ever followed.

`POST /connect/start` needs the connect page's CSRF token (bound to this browser's `meli_connect` cookie and to
the link) and refuses requests another site made the browser send; it starts at most
`MELI_CONNECT_STARTS_PER_LINK` sign-ins per link and `MELI_CONNECT_STARTS_PER_ADDRESS` per client address an
hour (429 past them). The account page's Reconnect button posts here too, with the account's CSRF token.
`setup(app)` also registers the callback, the owner link, the account pages and the business API.
"""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDictProxy

from worker.connect import messages
from worker.connect.i18n import localized, prefer_site
from worker.connect.links import check_site
from worker.connect.pages import connect_page, default_site
from worker.connect.state import random_token
from worker.store.accounts import get_business_account
from worker.web import api, callback_routes, owner_routes
from worker.web.edge import client_address
from worker.web.link_pages import granted_business
from worker.web.pages import accounts
from worker.web.pages.parts import CONNECT, ConnectParts, connect_parts
from worker.web.pages.responses import friendly, from_elsewhere, html, problem, read_form, see_other
from worker.web.pages.sessions import (
    browser_of,
    csrf_valid,
    form_token,
    form_token_valid,
    keep_browser,
    read_session,
)

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
START_PURPOSE = "connect-start"


@localized
@friendly
async def show_connect(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    checked = await granted_business(parts, request.query.get("token"))
    if isinstance(checked, web.Response):
        return checked
    link_id, site, business = checked
    selected = default_site(business, site)
    prefer_site(selected)
    browser = browser_of(request) or random_token(43)
    csrf = form_token(parts, business, START_PURPOSE, browser, f"link:{link_id}")
    response = html(200, connect_page(business, request.query["token"], selected, csrf))
    keep_browser(response, parts, browser)
    return response


def _expired_form() -> web.Response:
    return problem(403, *messages.EXPIRED_START)


@localized
@friendly
async def start_connect(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    refused = from_elsewhere(request, parts)
    if refused is not None:
        return refused
    form = await read_form(request)
    if form.get("account") is not None:
        return await _start_reconnect(request, parts, form)
    checked = await granted_business(parts, form.get("token"))
    if isinstance(checked, web.Response):
        return checked
    link_id, site, business = checked
    browser = browser_of(request)
    if browser is None or not form_token_valid(
        parts, business, START_PURPOSE, browser, f"link:{link_id}", form.get("csrf")
    ):
        return _expired_form()
    chosen = form.get("site")
    try:
        site_id = check_site(chosen if isinstance(chosen, str) else None) or default_site(business, site)
    except ValueError:
        return problem(400, *messages.CHOOSE_SITE)
    assert business.id is not None
    return await _begin(request, parts, (business.id, site_id, link_id), browser, f"link:{link_id}")


async def _start_reconnect(request: web.Request, parts: ConnectParts, form: Form) -> web.Response:
    """The account page's Reconnect button: the session covers the account and the form is the page's."""
    raw = form.get("account")
    session = await read_session(request, parts)
    account_id = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
    if (
        session is None
        or not session.covers(account_id)
        or not csrf_valid(parts, session, account_id, form.get("csrf"))
    ):
        return _expired_form()
    account = await get_business_account(parts.db, session.business_id, account_id)
    if account is None:
        return _expired_form()
    browser = browser_of(request) or random_token(43)
    return await _begin(request, parts, (account.business_id, account.site_id, None), browser, f"account:{account_id}")


async def _begin(
    request: web.Request, parts: ConnectParts, what: tuple[int, str, int | None], browser: str, subject: str
) -> web.Response:
    """Start a sign-in for (business, site, link) in this browser, within the start limits."""
    address = client_address(request, parts.options.trusted_proxies)
    wait = await parts.limits.connect_start(subject, address)
    if wait is not None:
        response = problem(429, *messages.TOO_MANY_STARTS)
        response.headers["Retry-After"] = str(wait)
        return response
    business_id, site_id, link_id = what
    response = see_other(await parts.flow.start(business_id, site_id, browser, link_id))
    keep_browser(response, parts, browser)
    return response


def setup(app: web.Application) -> None:
    """Connect pages, OAuth callback (at the path of MELI_ML_REDIRECT_URI), owner links, account pages, API."""
    app.cleanup_ctx.append(connect_parts)
    app.router.add_get("/connect", show_connect)
    app.router.add_post("/connect/start", start_connect)
    callback_routes.setup(app)
    owner_routes.setup(app)
    accounts.setup(app)
    api.setup(app)
