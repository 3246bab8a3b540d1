"""GET /api/v1/accounts/{id}/backfill: the seller's import progress and event coverage, as JSON.

Same authentication as the rest of the business API (the business API key as a Bearer token): a missing or
wrong key is 401, another business's account is 404.
"""

from __future__ import annotations

from aiohttp import web

from worker.backfill.progress import backfill_json
from worker.web.api import business_account, json_errors
from worker.web.keys import DATABASE


@json_errors
async def show_backfill(request: web.Request) -> web.Response:
    account = await business_account(request)
    if isinstance(account, web.Response):
        return account
    return web.json_response(await backfill_json(request.app[DATABASE], account))


def setup(app: web.Application) -> None:
    app.router.add_get(r"/api/v1/accounts/{account_id:[0-9]{1,15}}/backfill", show_backfill)
