"""The business API for delivery to Hellotext (Bearer business API key, as the rest of worker/web/api.py):

- `PUT /api/v1/hellotext` `{"token"?, "paused"?, "history"?}` sets the private Hellotext token (checked with
  Hellotext first; 422 when refused, 503 when Hellotext does not answer) and the delivery options;
- `GET /api/v1/deliveries?status=&after=&limit=` the business's deliveries and their count by status;
- `POST /api/v1/deliveries/{delivery_id}/retry` sends a delivery in review (or skipped) again.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from connectors.errors import InvalidRecord
from worker.clock import utcnow
from worker.delivery.connect import configure, parse_history
from worker.store.deliveries import count_by_status, list_deliveries, retry_delivery
from worker.store.delivery_models import DeliveryStatus
from worker.store.hellotext import UNCHANGED, load_config
from worker.web.api import _business, _error, json_errors
from worker.web.event_params import MAX_AFTER, MAX_LIMIT, BadQuery, whole_number
from worker.web.keys import CONTEXT, DATABASE, OPTIONS

STATUSES = frozenset(status.value for status in DeliveryStatus)


async def _options(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except (ValueError, RecursionError, LookupError):
        raise InvalidRecord("body", "must be a JSON object") from None
    if not isinstance(body, dict) or set(body) - {"token", "paused", "history"}:
        raise InvalidRecord("body", "must be a JSON object with token, paused and history only")
    if "token" in body and not isinstance(body["token"], str):
        raise InvalidRecord("token", "must be a string")
    if "paused" in body and not isinstance(body["paused"], bool):
        raise InvalidRecord("paused", "must be true or false")
    history = parse_history(body["history"]) if "history" in body else UNCHANGED
    return {"token": body.get("token"), "paused": body.get("paused"), "history_days": history}


@json_errors
async def put_hellotext(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    context = request.app[CONTEXT]
    try:
        options = await _options(request)
        found = await configure(context.db, context.cipher, request.app[OPTIONS].hellotext, business.id, **options)
    except InvalidRecord as error:
        status = 422 if error.field == "token" else 400
        return _error(status, "invalid_request", str(error))
    if not found:
        return _error(409, "no_token", "set a Hellotext token first")
    config = await load_config(context.db, context.cipher, business.id)
    assert config is not None
    return web.json_response(config.to_json())


@json_errors
async def get_deliveries(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        return _error(400, "invalid_request", f"status must be one of {', '.join(sorted(STATUSES))}")
    try:
        after = whole_number("after", request.query.get("after", "0"), 0, MAX_AFTER)
        limit = whole_number("limit", request.query.get("limit", "100"), 1, MAX_LIMIT)
    except BadQuery as exc:
        return _error(400, "invalid_request", str(exc))
    db = request.app[DATABASE]
    views = [view.to_json() for view in await list_deliveries(db, business.id, status, after, limit)]
    body = {"deliveries": views, "counts": await count_by_status(db, business.id),
            "next_after": views[-1]["id"] if views else after}  # fmt: skip
    return web.json_response(body)


@json_errors
async def retry(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    raw = request.match_info["delivery_id"]
    delivery_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    db = request.app[DATABASE]
    if delivery_id is None or not await retry_delivery(db, business.id, delivery_id, utcnow()):
        return _error(404, "not_found", "no such delivery to retry (delivered ones stay delivered)")
    return web.json_response({"id": delivery_id, "status": DeliveryStatus.PENDING.value})


def setup(app: web.Application) -> None:
    app.router.add_put("/api/v1/hellotext", put_hellotext)
    app.router.add_get("/api/v1/deliveries", get_deliveries)
    app.router.add_post("/api/v1/deliveries/{delivery_id}/retry", retry)
