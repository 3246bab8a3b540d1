"""GET /api/v1/events: the business's events, oldest first, with a cursor that never skips or repeats."""

from __future__ import annotations

from aiohttp import web

from worker.store.events import read_events
from worker.web.api import _business, _error, json_errors
from worker.web.pages.parts import CONNECT

MAX_LIMIT = 1000


def _int_param(request: web.Request, name: str, default: int, upper: int) -> int | None:
    raw = request.query.get(name, str(default))
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) > upper:
        return None
    return int(raw)


@json_errors
async def list_events(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    after = _int_param(request, "after", 0, 10**18)
    limit = _int_param(request, "limit", 100, MAX_LIMIT)
    if after is None or limit is None or limit == 0:
        return _error(400, "invalid_request", f"after must be an event id >= 0 and limit 1 to {MAX_LIMIT}")
    db = request.app[CONNECT].context.db
    views = await read_events(db, business_id=business.id, after=after, limit=limit)
    events = [view.to_json() for view in views]
    return web.json_response({"events": events, "next_after": events[-1]["id"] if events else after})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/events", list_events)
