"""`GET /accounts` (the accounts this browser may see), `GET /accounts/{id}` (status page) and
`POST /accounts/{id}/disconnect`, scoped to the browser's session; `GET /` is the landing page.

A session covers the accounts its browser connected, or every account of the business when it was opened with
an owner link. Without a session a page says how to get one (401); an account the session does not cover is a
plain 404, the same as a missing one. Disconnect needs the page's CSRF token and refuses cross-site posts; the
account page's button asks first ("Disconnect SELLER?"), and only the answer `confirmed=yes` disconnects. It
stops processing, stored events stay.
"""

from __future__ import annotations

from aiohttp import web

from worker.backfill.progress import backfill_json
from worker.connect import messages
from worker.connect.events_view import events_section
from worker.connect.i18n import localized, prefer_site
from worker.connect.import_view import REFRESH_SECONDS, import_section, importing
from worker.connect.links import CONNECT_PATH
from worker.connect.pages import Form, account_page, accounts_page, default_site, disconnect_page, landing_page
from worker.logs import get_logger
from worker.store.accounts import disconnect_account, get_business_account, list_accounts
from worker.store.activity import Activity, account_activity, recent_events
from worker.store.models import AccountStatus, MlAccount
from worker.web.pages.parts import CONNECT, ConnectParts
from worker.web.pages.responses import friendly, from_elsewhere, html, problem, read_form, see_other
from worker.web.pages.sessions import Session, csrf_token, csrf_valid, read_session

log = get_logger(__name__)
ACCOUNT_PATH = r"/accounts/{account_id:[0-9]{1,15}}"


def _no_session() -> web.Response:
    return problem(401, *messages.NO_SESSION)


def _not_found() -> web.Response:
    return problem(404, *messages.ACCOUNT_NOT_FOUND)


async def _scoped(request: web.Request) -> tuple[ConnectParts, Session, MlAccount] | web.Response:
    parts = request.app[CONNECT]
    session = await read_session(request, parts)
    if session is None:
        return _no_session()
    account_id = int(request.match_info["account_id"])
    account = await get_business_account(parts.db, session.business_id, account_id)
    if account is None or account.id is None or not session.covers(account.id):
        return _not_found()
    prefer_site(account.site_id)
    return parts, session, account


def reconnect_form(parts: ConnectParts, session: Session, account: MlAccount) -> Form:
    assert account.id is not None
    fields = (("account", str(account.id)), ("csrf", csrf_token(parts, session, account.id)))
    return Form(CONNECT_PATH + "/start", messages.RECONNECT, fields)


@localized
@friendly
async def show_accounts(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    session = await read_session(request, parts)
    if session is None:
        return _no_session()
    listed = await list_accounts(parts.db, session.business_id)
    visible = [account for account in listed if account.id is not None and session.covers(account.id)]
    prefer_site(visible[0].site_id if visible else default_site(session.business, None))
    return html(200, accounts_page(session.business.name, visible, session.owner))


@localized
@friendly
async def show_account(request: web.Request) -> web.StreamResponse:
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    parts, session, account = scoped
    assert account.id is not None
    active = account.status == AccountStatus.ACTIVE.value
    disconnected = account.status == AccountStatus.DISCONNECTED.value
    disconnect = Form(
        f"/accounts/{account.id}/disconnect",
        messages.DISCONNECT,
        (("csrf", csrf_token(parts, session, account.id)),),
        secondary=True,
    )
    db = parts.db
    progress = await backfill_json(db, account)
    events = await recent_events(db, account.id, account.business_id)
    activity = await account_activity(db, account.id, account.business_id)
    # "Last event" is this seller's, not the business's (a business may connect several sellers)
    activity = Activity(activity.last_notification_at, events[0].recorded_at if events else None)
    return html(
        200,
        account_page(
            account,
            session.business.name,
            None if active else reconnect_form(parts, session, account),
            None if disconnected else disconnect,
            activity,
            import_section(progress),
            events_section(events),
            REFRESH_SECONDS if importing(progress) else None,
        ),
    )


@localized
@friendly
async def disconnect(request: web.Request) -> web.StreamResponse:
    scoped = await _scoped(request)
    if isinstance(scoped, web.Response):
        return scoped
    parts, session, account = scoped
    assert account.id is not None
    refused = from_elsewhere(request, parts)
    if refused is not None:
        return refused
    form = await read_form(request)
    csrf = form.get("csrf")
    if not isinstance(csrf, str) or not csrf_valid(parts, session, account.id, csrf):
        return problem(403, *messages.EXPIRED_DISCONNECT)
    if form.get("confirmed") != "yes":
        confirm = Form(f"/accounts/{account.id}/disconnect", messages.CONFIRM_DISCONNECT,
                       (("csrf", csrf), ("confirmed", "yes")))  # fmt: skip
        keep = Form(f"/accounts/{account.id}", messages.KEEP_CONNECTED, (), secondary=True, method="get")
        return html(200, disconnect_page(account, session.business.name, confirm, keep))
    await disconnect_account(parts.db, account.id)
    log.info("ml.account.disconnected", account_id=account.id, business_id=account.business_id)
    return see_other(f"/accounts/{account.id}")


@localized
async def landing(request: web.Request) -> web.StreamResponse:
    return html(200, landing_page())


def setup(app: web.Application) -> None:
    app.router.add_get("/", landing)
    app.router.add_get("/accounts", show_accounts)
    app.router.add_get(ACCOUNT_PATH, show_account)
    app.router.add_post(ACCOUNT_PATH + "/disconnect", disconnect)
