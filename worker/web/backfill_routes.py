"""GET /api/v1/accounts/{id}/backfill: the seller's import progress and event coverage, as JSON.

Same authentication as the rest of the business API (the business API key as a Bearer token): a missing or
wrong key is 401, another business's account is 404.
"""

from __future__ import annotations

from aiohttp import web

from worker.backfill.progress import backfill_json
from worker.store.accounts import get_business_account
from worker.web.api import _business, _error, json_errors
from worker.web.pages.parts import CONNECT


@json_errors
async def show_backfill(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[CONNECT].context.db
    account = await get_business_account(db, business.id, int(request.match_info["account_id"]))
    if account is None:
        return _error(404, "not_found", "no such account for this business")
    return web.json_response(await backfill_json(db, account))


def setup(app: web.Application) -> None:
    app.router.add_get(r"/api/v1/accounts/{account_id:[0-9]{1,15}}/backfill", show_backfill)
