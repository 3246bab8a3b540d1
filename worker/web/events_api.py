"""GET /api/v1/events: the business's events, filtered, in stored order (a cursor that never skips or repeats)
or in the order they happened (`sort=tracked_at`); `has_more` says whether another page is waiting now."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from worker.store.event_queries import read_event_page
from worker.web.api import _business, _error, json_errors
from worker.web.event_params import MAX_LIMIT, BadQuery, cursor_of, parse_event_query
from worker.web.keys import DATABASE

__all__ = ["MAX_LIMIT", "list_events", "setup"]


@json_errors
async def list_events(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    try:
        query = parse_event_query(list(request.query.items()))
    except BadQuery as error:
        return _error(400, "invalid_request", str(error))
    db = request.app[DATABASE]
    views, has_more = await read_event_page(db, business.id, query.only, query.start, query.limit, query.by_time)
    body: dict[str, Any] = {"events": [view.to_json() for view in views], "has_more": has_more}
    if query.by_time:
        last = views[-1] if views else None
        body["next_cursor"] = cursor_of(last.tracked_at, last.id) if last and has_more else None
        body["next_after"] = None
    else:
        body["next_after"] = views[-1].id if views else query.start.after
        body["next_cursor"] = None
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/events", list_events)
