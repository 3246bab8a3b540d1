"""The business API (JSON), authenticated with the business's API key as a Bearer token.

`POST /api/v1/connect-links` makes a connect link; `GET /api/v1/accounts` and `GET /api/v1/accounts/{id}`
show the business's connected sellers (links, owner links and revocation: `links_api`). A missing or wrong
key is 401; past `MELI_API_AUTH_FAILURES_PER_MINUTE` wrong keys from one client address in a minute, 429 with
Retry-After (the key is not even looked at). Another business's account is 404.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from connectors.errors import InvalidRecord
from worker.clock import utcnow
from worker.errors import Unavailable
from worker.logs import get_logger
from worker.store.accounts import get_business_account, list_accounts, token_expiry
from worker.store.activity import account_activity
from worker.store.businesses import business_for_api_key
from worker.store.db import Database
from worker.store.events import iso_z
from worker.store.models import Business, MlAccount
from worker.web.edge import client_address
from worker.web.keys import DATABASE
from worker.web.pages.parts import CONNECT

log = get_logger(__name__)
MAX_KEY_LENGTH = 200
Handler = Callable[[web.Request], Awaitable[web.Response]]


def json_errors(handler: Handler) -> Handler:
    """An outage of the database or Redis is a 503 JSON answer, never a stack trace."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except (Unavailable, RedisError, OSError) as exc:
            log.warning("web.api.unavailable", path=request.path, error=type(exc).__name__)
            return _error(503, "unavailable", "a service we rely on did not answer; try again shortly")

    return wrapped


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)


async def _business(request: web.Request) -> Business | web.Response:
    parts = request.app[CONNECT]
    address = client_address(request, parts.options.trusted_proxies)
    wait = await parts.limits.api_blocked(address)
    if wait is not None:
        return _error(
            429, "too_many_requests", "too many wrong API keys; try again later", **{"Retry-After": str(wait)}
        )
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    business = None
    sent = scheme.lower() == "bearer" and 0 < len(key.strip()) <= MAX_KEY_LENGTH
    if sent:
        business = await business_for_api_key(parts.db, key.strip())
    if business is None:
        await parts.limits.api_failed(address)
        message = (
            "this API key is not valid (mistyped, or replaced by `meli business rotate-key`)"
            if sent
            else "no API key: send the business API key as 'Authorization: Bearer <key>'"
        )
        return _error(401, "unauthorized", message, **{"WWW-Authenticate": 'Bearer realm="meli-events"'})
    return business


async def _site(request: web.Request) -> str | None:
    if not request.can_read_body:
        return None
    try:
        body = json.loads(await request.text() or "{}")
    except (ValueError, RecursionError, LookupError):  # not JSON or not UTF-8, nested too deep, unknown charset
        raise InvalidRecord("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidRecord("body", "must be a JSON object")
    site = body.get("site")
    if site is not None and not isinstance(site, str):
        raise InvalidRecord("site", "must be a site id such as MCO")
    return site


@json_errors
async def create_connect_link(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    try:
        link = await request.app[CONNECT].links.issue(business.id, await _site(request), now=utcnow())
    except InvalidRecord as error:
        return _error(400, "invalid_request", str(error))
    body = {
        "id": link.id,
        "url": link.url,
        "business_id": business.id,
        "site": link.site_id,
        "expires_at": iso_z(link.expires_at),
    }
    return web.json_response(body, status=201)


def _iso(moment: datetime | None) -> str | None:
    return iso_z(moment) if moment else None


async def account_json(db: Database, account: MlAccount) -> dict[str, Any]:
    assert account.id is not None
    expiry = await token_expiry(db, account.id)
    activity = await account_activity(db, account.id, account.business_id)
    return {
        "id": account.id,
        "seller_id": account.seller_id,
        "nickname": account.nickname,
        "site_id": account.site_id,
        "status": account.status,
        "connected_at": iso_z(account.connected_at),
        "token_expires_at": _iso(expiry),
        "last_notification_at": _iso(activity.last_notification_at),
        "last_event_at": _iso(activity.last_event_at),
    }


@json_errors
async def list_business_accounts(request: web.Request) -> web.Response:
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[DATABASE]
    rows = [await account_json(db, account) for account in await list_accounts(db, business.id)]
    return web.json_response({"accounts": rows})


async def business_account(request: web.Request) -> MlAccount | web.Response:
    """The `{account_id}` of the URL, if it belongs to the business whose API key came with the request."""
    business = await _business(request)
    if isinstance(business, web.Response):
        return business
    assert business.id is not None
    db = request.app[DATABASE]
    account = await get_business_account(db, business.id, int(request.match_info["account_id"]))
    if account is None:
        return _error(404, "not_found", "no such account for this business")
    return account


@json_errors
async def show_account(request: web.Request) -> web.Response:
    account = await business_account(request)
    if isinstance(account, web.Response):
        return account
    return web.json_response(await account_json(request.app[DATABASE], account))


def setup(app: web.Application) -> None:
    from worker.web import links_api

    app.router.add_post("/api/v1/connect-links", create_connect_link)
    links_api.setup(app)
    app.router.add_get("/api/v1/accounts", list_business_accounts)
    app.router.add_get(r"/api/v1/accounts/{account_id:[0-9]{1,15}}", show_account)
