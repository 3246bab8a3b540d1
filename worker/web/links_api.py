"""Links and sessions through the business API (the API key as a Bearer token, like the rest of it).

* `DELETE /api/v1/connect-links/{id}`: revoke one connect or owner link of the business (404 if none).
* `POST /api/v1/owner-links`: a link that opens, once, a browser session over every account of the business.
* `POST /api/v1/sessions/revoke`: revoke every browser session, CSRF token and open link of the business.
"""

from __future__ import annotations

from aiohttp import web

from worker.clock import utcnow
from worker.logs import get_logger
from worker.store.businesses import new_signing_salt
from worker.store.events import iso_z
from worker.store.links import LinkKind, revoke_business_links, revoke_link
from worker.web.api import _business, _error, json_errors
from worker.web.keys import DATABASE
from worker.web.pages.parts import CONNECT

log = get_logger(__name__)
LINK_PATH = r"/api/v1/connect-links/{link_id:[0-9]{1,15}}"


@json_errors
async def delete_link(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    link_id = int(request.match_info["link_id"])
    if not await revoke_link(request.app[DATABASE], business.id, link_id, utcnow()):
        return _error(404, "not_found", "no such link for this business")
    log.info("connect.link_revoked", business_id=business.id, link_id=link_id)
    return web.json_response({"id": link_id, "revoked": True})


@json_errors
async def create_owner_link(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    link = await request.app[CONNECT].links.issue(business.id, None, now=utcnow(), kind=LinkKind.OWNER)
    log.info("connect.owner_link_issued", business_id=business.id, link_id=link.id)
    body = {
        "id": link.id,
        "url": link.url,
        "business_id": business.id,
        "expires_at": iso_z(link.expires_at),
    }
    return web.json_response(body, status=201)


@json_errors
async def revoke_sessions(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[DATABASE]
    await new_signing_salt(db, business.id)
    links = await revoke_business_links(db, business.id, utcnow())
    log.info("connect.sessions_revoked", business_id=business.id, links=links)
    return web.json_response({"business_id": business.id, "links_revoked": links})


def setup(app: web.Application) -> None:
    app.router.add_delete(LINK_PATH, delete_link)
    app.router.add_post("/api/v1/owner-links", create_owner_link)
    app.router.add_post("/api/v1/sessions/revoke", revoke_sessions)
