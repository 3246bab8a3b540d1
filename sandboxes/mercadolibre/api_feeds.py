"""`GET /missed_feeds?app_id=...`: notifications that never got a 200 (docs/mercadolibre-api.md §2).

Needs a valid token of the app; `app_id` must be our client id (else 403). Optional `topic`, `offset`
(default 0) and `limit` (default 10, max 1000). Lists the missed notifications of the token's user only
(a seller sees its own notifications: NOTIF, https://developers.mercadolibre.com.ve/es_ar/productos-recibe-notificaciones,
documents the feed per application and user token, and every example entry is one user's), oldest first,
as `{"messages": [...]}` without a paging object. Entry shape: `notifier.missed_entry`.
"""

from __future__ import annotations

import json

from aiohttp import web

from sandboxes.mercadolibre.api_search import paging
from sandboxes.mercadolibre.errors import bad_request, forbidden
from sandboxes.mercadolibre.middleware import require_user
from sandboxes.mercadolibre.notifier import missed_entry
from sandboxes.mercadolibre.state import SANDBOX


async def get_missed_feeds(request: web.Request) -> web.Response:
    caller = require_user(request)
    sandbox, query = request.app[SANDBOX], request.query
    app_id = query.get("app_id")
    if not app_id:
        raise bad_request("app_id is required")
    if app_id != sandbox.config.client_id:
        raise forbidden("app_id does not belong to the caller's application")
    offset, limit = paging(query, 10, 1000, 1_000_000)
    topic = query.get("topic")
    if topic == "items" and "site_id" not in query:
        raise bad_request("site_id is required for topic items")
    notifier = sandbox.notifier
    rows = [d for d in notifier.missed if d.note.user_id == caller and (topic is None or d.note.topic == topic)]
    app = sandbox.config.application_id
    messages = [missed_entry(d, notifier.callback_url, app) for d in rows[offset : offset + limit]]
    return web.Response(body=json.dumps({"messages": messages}).encode(), content_type="application/json")
