"""The merchant's connect flow: `GET /connect?token=`, `POST /connect/start`, and the OAuth callback.

Two clicks at most on our side: "Connect Mercado Libre" on the connect page (the site is preselected), then
ML's own sign-in and "Allow", then the account page ("Connected as NICKNAME (SITE)"). The only redirects we
issue go to the ML authorization URL built from settings or to our own account page: no `next=` is ever
followed. `setup(app)` also registers the account pages and the business API.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from redis.exceptions import RedisError

from connectors.errors import MeliError
from worker.backfill.service import on_account_connected
from worker.connect.flow import CallbackQuery, ConnectFailed, Problem
from worker.connect.links import CONNECT_PATH, ConnectGrant, check_site
from worker.connect.pages import Form, connect_page, default_site, problem_page
from worker.connect.signing import BadSignedToken, ExpiredSignedToken
from worker.connect.state import STATE_TTL_S, random_token, well_formed
from worker.context import AppContext
from worker.logs import get_logger
from worker.store.businesses import get_business
from worker.store.models import Business, MlAccount, utcnow
from worker.web import api
from worker.web.keys import CONTEXT
from worker.web.pages import accounts
from worker.web.pages.parts import CONNECT, ConnectParts, connect_parts
from worker.web.pages.responses import friendly, html, problem, read_form, see_other, set_cookie, start_session

log = get_logger(__name__)
BROWSER_COOKIE = "meli_connect"
RETRY_LINK_TTL = timedelta(hours=1)

# Problem -> (HTTP status, heading, message, offer a retry button)
FAILURES: dict[Problem, tuple[int, str, str, bool]] = {
    Problem.BAD_STATE: (400, "This sign-in is no longer valid", "It was already used, took more than 10 "
                        "minutes, or was not started here. Open your connect link again.", False),
    Problem.OTHER_BROWSER: (400, "This sign-in was started in another browser", "Finish in the browser where "
                            "you pressed Connect Mercado Libre, or open your connect link again here.", False),
    Problem.DENIED: (200, "Nothing was connected", "You did not allow access on Mercado Libre. If that was a "
                     "mistake, try again.", True),
    Problem.CODE_REJECTED: (400, "Mercado Libre did not confirm the sign-in", "The sign-in answer was already "
                            "used or has expired. Nothing was connected.", True),
    Problem.WRONG_USER: (400, "Mercado Libre did not confirm the sign-in", "The answer did not match the "
                         "signed-in seller. Nothing was connected.", True),
    Problem.SELLER_TAKEN: (409, "This seller is connected to another business", "A Mercado Libre seller "
                           "account works with one business only, so nothing was changed. Disconnect it there "
                           "first, or sign in with another seller account.", True),
    Problem.ML_UNAVAILABLE: (502, "Mercado Libre did not answer", "Nothing was connected. Please try again in "
                             "a minute.", True),
}  # fmt: skip


def _link_problem(parts: ConnectParts, error: BadSignedToken) -> web.Response:
    if isinstance(error, ExpiredSignedToken):
        days = parts.context.settings.connect_link_ttl_days
        return problem(
            410,
            "This connect link has expired",
            f"Connect links work for {days} days. Ask the business that sent it to you for a new one.",
        )
    return problem(
        400,
        "This connect link is not valid",
        "The link is incomplete or was changed. Copy the whole link again, or ask for a new one.",
    )


async def _grant(parts: ConnectParts, token: object) -> tuple[ConnectGrant, Business] | web.Response:
    try:
        grant = parts.links.read(token if isinstance(token, str) else None, now=utcnow())
    except BadSignedToken as error:
        return _link_problem(parts, error)
    business = await get_business(parts.context.db, grant.business_id)
    if business is None:
        return _link_problem(parts, BadSignedToken("unknown business"))
    return grant, business


@friendly
async def show_connect(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    checked = await _grant(parts, request.query.get("token"))
    if isinstance(checked, web.Response):
        return checked
    grant, business = checked
    token = request.query["token"]
    return html(200, connect_page(business, token, default_site(business, grant.site_id)))


@friendly
async def start_connect(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    form = await read_form(request)
    checked = await _grant(parts, form.get("token"))
    if isinstance(checked, web.Response):
        return checked
    grant, business = checked
    site = form.get("site")
    try:
        site_id = check_site(site if isinstance(site, str) else None) or default_site(business, grant.site_id)
    except ValueError:
        return problem(400, "Choose your Mercado Libre country", "Go back and pick a country from the list.")
    browser = request.cookies.get(BROWSER_COOKIE)
    browser = browser if well_formed(browser) else random_token(43)
    assert browser is not None
    response = see_other(await parts.flow.start(grant.business_id, site_id, browser))
    set_cookie(response, parts, BROWSER_COOKIE, browser, STATE_TTL_S)
    return response


def _failure(parts: ConnectParts, failed: ConnectFailed) -> web.Response:
    status, heading, message, retry = FAILURES[failed.problem]
    action = None
    if retry and failed.business_id is not None and failed.site_id is not None:
        link = parts.links.issue(failed.business_id, failed.site_id, now=utcnow(), ttl=RETRY_LINK_TTL)
        fields = (("token", link.token), ("site", failed.site_id))
        action = Form(CONNECT_PATH + "/start", "Try again", fields)
    return html(status, problem_page(heading, message, action))


async def _start_import(context: AppContext, account: MlAccount) -> None:
    """Queue the initial import (or resume a parked one after a reconnect). The account is connected either
    way: if this fails, the scheduled re-sync and `meli backfill` still cover the history."""
    assert account.id is not None
    try:
        await on_account_connected(context.db, context.redis, context.settings, account.id)
    except (MeliError, RedisError, OSError) as exc:
        log.warning("ml.backfill.not_started", account_id=account.id, error=type(exc).__name__)


@friendly
async def oauth_callback(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    query = CallbackQuery(request.query.get("code"), request.query.get("state"), request.query.get("error"))
    try:
        account = await parts.flow.finish(query, request.cookies.get(BROWSER_COOKIE))
    except ConnectFailed as failed:
        return _failure(parts, failed)
    await _start_import(parts.context, account)
    response = see_other(f"/accounts/{account.id}")
    start_session(request, response, parts, account.business_id)
    return response


def setup(app: web.Application) -> None:
    """Connect pages, OAuth callback (at the path of MELI_ML_REDIRECT_URI), account pages, business API."""
    app.cleanup_ctx.append(connect_parts)
    callback_path = urlsplit(app[CONTEXT].settings.ml_redirect_uri).path or "/oauth/callback"
    app.router.add_get(CONNECT_PATH, show_connect)
    app.router.add_post(CONNECT_PATH + "/start", start_connect)
    app.router.add_get(callback_path, oauth_callback)
    accounts.setup(app)
    api.setup(app)
