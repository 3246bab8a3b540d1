"""Owner links: `GET /owner?token=` shows one button, `POST /owner` spends the link and opens a browser session
over every account of the business (then `/accounts`).

An owner link is minted with the business API key (`POST /api/v1/owner-links`) or by an operator
(`meli owner-link`), lives `MELI_OWNER_LINK_TTL_MINUTES` and works once. The GET spends nothing, so a link
preview or a scanner that fetches the URL does not burn it.
"""

from __future__ import annotations

from aiohttp import web

from worker.clock import utcnow
from worker.connect import messages
from worker.connect.i18n import localized, prefer_site
from worker.connect.links import OWNER_PATH, LinkProblem
from worker.connect.pages import Form, default_site, owner_page
from worker.connect.state import random_token
from worker.store.links import LinkKind
from worker.web.link_pages import granted_business, link_problem
from worker.web.pages.parts import CONNECT
from worker.web.pages.responses import friendly, from_elsewhere, html, problem, read_form, see_other
from worker.web.pages.sessions import browser_of, form_token, form_token_valid, keep_browser, start_session

PURPOSE = "owner-open"


@localized
@friendly
async def show_owner(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    token = request.query.get("token")
    checked = await granted_business(parts, token, LinkKind.OWNER)
    if isinstance(checked, web.Response):
        return checked
    link_id, _, business = checked
    prefer_site(default_site(business, None))
    browser = browser_of(request) or random_token(43)
    csrf = form_token(parts, business, PURPOSE, browser, f"link:{link_id}")
    action = Form(OWNER_PATH, messages.OPEN_ACCOUNTS, (("token", str(token)), ("csrf", csrf)))
    response = html(200, owner_page(business.name, action))
    keep_browser(response, parts, browser)
    return response


@localized
@friendly
async def open_owner(request: web.Request) -> web.StreamResponse:
    parts = request.app[CONNECT]
    refused = from_elsewhere(request, parts)
    if refused is not None:
        return refused
    form = await read_form(request)
    checked = await granted_business(parts, form.get("token"), LinkKind.OWNER)
    if isinstance(checked, web.Response):
        return checked
    link_id, _, business = checked
    if not form_token_valid(parts, business, PURPOSE, browser_of(request), f"link:{link_id}", form.get("csrf")):
        return problem(403, *messages.EXPIRED_OWNER)
    if not await parts.links.spend(link_id, utcnow()):
        return link_problem(parts, LinkProblem.USED, LinkKind.OWNER)
    response = see_other("/accounts")
    await start_session(request, response, parts, business, owner=True)
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(OWNER_PATH, show_owner)
    app.router.add_post(OWNER_PATH, open_owner)
