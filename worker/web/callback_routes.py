"""The OAuth callback (`GET` at the path of MELI_ML_REDIRECT_URI) and `POST /connect/confirm`.

A callback in the browser that pressed Connect links the seller and opens a session over that account. A
callback in any other browser links nothing: it asks "Connect SELLER to BUSINESS?" (`worker.connect.confirm`),
and only that browser's answer, with the page's CSRF token, links the seller.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from redis.exceptions import RedisError

from connectors.errors import MeliError
from worker.backfill.service import BackfillPlan, on_account_connected
from worker.clock import utcnow
from worker.connect import messages
from worker.connect.confirm import Confirmation
from worker.connect.flow import CallbackQuery, ConnectFailed, Problem
from worker.connect.i18n import localized, prefer_site
from worker.connect.links import CONNECT_PATH
from worker.connect.pages import Form, confirm_page, problem_page
from worker.connect.signing import BusinessKeys
from worker.connect.state import random_token
from worker.context import AppContext
from worker.logs import get_logger
from worker.store.accounts import get_business_account
from worker.store.businesses import get_business
from worker.store.models import AccountStatus, MlAccount
from worker.web.keys import CONTEXT, OPTIONS
from worker.web.pages.parts import CONNECT, ConnectParts
from worker.web.pages.responses import friendly, from_elsewhere, html, problem, read_form, see_other
from worker.web.pages.sessions import (
    browser_of,
    form_token,
    form_token_valid,
    keep_browser,
    read_session,
    start_session,
)

log = get_logger(__name__)
RETRY_LINK_TTL = timedelta(hours=1)
CONFIRM_PURPOSE = "connect-confirm"

FAILURES = messages.SIGN_IN_FAILURES


async def _failure(request: web.Request, parts: ConnectParts, failed: ConnectFailed) -> web.Response:
    status, heading, message, retry = FAILURES[failed.problem]
    business = await get_business(parts.db, failed.business_id) if failed.business_id is not None else None
    if not retry or business is None or business.id is None or failed.site_id is None:
        return html(status, problem_page(heading, message))
    link = await parts.links.issue(business.id, failed.site_id, now=utcnow(), ttl=RETRY_LINK_TTL)
    browser = browser_of(request) or random_token(43)
    csrf = form_token(parts, business, "connect-start", browser, f"link:{link.id}")
    action = Form(
        CONNECT_PATH + "/start", messages.TRY_AGAIN, (("token", link.token), ("site", failed.site_id), ("csrf", csrf))
    )
    response = html(status, problem_page(heading, message, action))
    keep_browser(response, parts, browser)
    return response


async def _start_import(context: AppContext, backfill: BackfillPlan, account: MlAccount) -> None:
    """Queue the initial import (or resume a parked one after a reconnect). The account is connected either
    way: if this fails, the scheduled re-sync and `meli backfill` still cover the history."""
    assert account.id is not None
    try:
        await on_account_connected(context.db, context.redis, backfill, account.id)
    except (MeliError, RedisError, OSError) as exc:
        log.warning("ml.backfill.not_started", account_id=account.id, error=type(exc).__name__)


async def _connected(request: web.Request, parts: ConnectParts, account: MlAccount) -> web.Response:
    await _start_import(request.app[CONTEXT], request.app[OPTIONS].backfill, account)
    business = await get_business(parts.db, account.business_id)
    response = see_other(f"/accounts/{account.id}")
    if business is not None:
        await start_session(request, response, parts, business, account_id=account.id)
    return response


async def _ask(parts: ConnectParts, held: Confirmation) -> web.Response:
    prefer_site(held.user.site_id)
    business = await get_business(parts.db, held.pending.business_id)
    if business is None:
        status, heading, message, _ = FAILURES[Problem.BAD_STATE]
        return html(status, problem_page(heading, message))
    csrf = form_token(parts, business, CONFIRM_PURPOSE, held.browser, held.id)
    fields = (("confirmation", held.id), ("csrf", csrf))
    connect = Form("/connect/confirm", messages.CONNECT, (*fields, ("decision", "connect")))
    cancel = Form("/connect/confirm", messages.CANCEL, (*fields, ("decision", "cancel")), secondary=True)
    response = html(200, confirm_page(business.name, held.user.nickname, held.user.site_id, connect, cancel))
    keep_browser(response, parts, held.browser)
    return response


async def _connected_here(request: web.Request, parts: ConnectParts) -> int | None:
    """The newest active account this browser connected, if it holds a session over one."""
    session = await read_session(request, parts)
    if session is None:
        return None
    for account_id in sorted(session.accounts, reverse=True):
        account = await get_business_account(parts.db, session.business_id, account_id)
        if account is not None and account.status == AccountStatus.ACTIVE.value:
            return account_id
    return None


@localized
@friendly
async def oauth_callback(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    query = CallbackQuery(request.query.get("code"), request.query.get("state"), request.query.get("error"))
    try:
        finished = await parts.flow.finish(query, browser_of(request))
    except ConnectFailed as failed:
        if failed.problem in (Problem.BAD_STATE, Problem.SPENT_STATE):
            held = await _connected_here(request, parts)
            if held is not None:  # e.g. Back, then Allow again: the sign-in is spent, the account is connected
                return see_other(f"/accounts/{held}")
        return await _failure(request, parts, failed)
    if finished.confirm is not None:
        return await _ask(parts, finished.confirm)
    assert finished.account is not None
    return await _connected(request, parts, finished.account)


@localized
@friendly
async def confirm_connect(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    refused = from_elsewhere(request, parts)
    if refused is not None:
        return refused
    form = await read_form(request)
    held, csrf, decision = form.get("confirmation"), form.get("csrf"), form.get("decision")
    business_id = BusinessKeys.business_of(csrf if isinstance(csrf, str) else None)
    business = await get_business(parts.db, business_id) if business_id is not None else None
    browser = browser_of(request)
    if (
        business is None
        or not isinstance(held, str)
        or not form_token_valid(parts, business, CONFIRM_PURPOSE, browser, held, csrf)
    ):
        return problem(403, *messages.EXPIRED_CONFIRM)
    if decision != "connect":
        await parts.flow.cancel(held)
        return problem(200, *messages.CANCELLED)
    try:
        account = await parts.flow.confirm(held, browser)
    except ConnectFailed as failed:
        return await _failure(request, parts, failed)
    return await _connected(request, parts, account)


def setup(app: web.Application) -> None:
    app.router.add_get(app[OPTIONS].callback_path, oauth_callback)
    app.router.add_post("/connect/confirm", confirm_connect)
