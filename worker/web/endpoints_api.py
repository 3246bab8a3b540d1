"""Outbound webhook endpoints through the business API (Bearer business API key, as the rest of it):

- `POST /api/v1/webhooks` `{"url"}`: add an endpoint; the answer carries its signing secret, shown this once
  (422 when the URL may not receive: not https, or resolving to a loopback, private or link-local address);
- `GET /api/v1/webhooks`: the business's endpoints (never their secrets) and their messages by status;
- `DELETE /api/v1/webhooks/{endpoint_id}`: remove an endpoint and its messages;
- `POST /api/v1/webhooks/{endpoint_id}/resume`: make a disabled endpoint active again and its messages in
  review due now.
"""

from __future__ import annotations

import json

from aiohttp import web

from connectors.errors import InvalidRecord
from worker.clock import utcnow
from worker.delivery.endpoints import create_endpoint
from worker.logs import get_logger
from worker.store.webhook_models import EndpointStatus
from worker.store.webhooks import list_endpoints, remove_endpoint, resume_endpoint
from worker.web.api import _business, _error, json_errors
from worker.web.keys import CONTEXT, DATABASE, OPTIONS

log = get_logger(__name__)
ENDPOINT_PATH = r"/api/v1/webhooks/{endpoint_id:[0-9]{1,9}}"


async def _url(request: web.Request) -> str:
    try:
        body = json.loads(await request.text() or "{}")
    except (ValueError, RecursionError, LookupError):
        raise InvalidRecord("body", "must be a JSON object") from None
    if not isinstance(body, dict) or set(body) != {"url"} or not isinstance(body["url"], str):
        raise InvalidRecord("body", "must be a JSON object with a url (a string) only")
    return body["url"]


@json_errors
async def post_webhook(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    context, allow_local = request.app[CONTEXT], request.app[OPTIONS].outbound_webhooks_allow_local
    try:
        made = await create_endpoint(context.db, context.cipher, business.id, await _url(request), allow_local)
    except InvalidRecord as error:
        return _error(422 if error.field == "url" else 400, "invalid_request", str(error))
    log.info("webhook.endpoint.added", business_id=business.id, endpoint_id=made.endpoint.id)
    return web.json_response(made.to_json(), status=201, headers={"Cache-Control": "no-store"})


@json_errors
async def get_webhooks(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    endpoints = await list_endpoints(request.app[DATABASE], business.id)
    return web.json_response({"webhooks": [endpoint.to_json() for endpoint in endpoints]})


@json_errors
async def delete_webhook(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    endpoint_id = int(request.match_info["endpoint_id"])
    if not await remove_endpoint(request.app[DATABASE], business.id, endpoint_id):
        return _error(404, "not_found", "no such endpoint for this business")
    log.info("webhook.endpoint.removed", business_id=business.id, endpoint_id=endpoint_id)
    return web.json_response({"id": endpoint_id, "removed": True})


@json_errors
async def resume_webhook(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    endpoint_id = int(request.match_info["endpoint_id"])
    again = await resume_endpoint(request.app[DATABASE], business.id, endpoint_id, utcnow())
    if again is None:
        return _error(404, "not_found", "no such endpoint for this business")
    log.info("webhook.endpoint.resumed", business_id=business.id, endpoint_id=endpoint_id, messages=again)
    return web.json_response({"id": endpoint_id, "status": EndpointStatus.ACTIVE, "messages_due": again})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/webhooks", post_webhook)
    app.router.add_get("/api/v1/webhooks", get_webhooks)
    app.router.add_delete(ENDPOINT_PATH, delete_webhook)
    app.router.add_post(ENDPOINT_PATH + "/resume", resume_webhook)
