"""One business cannot read or change another's accounts or events through any route of the OpenAPI document.

Business "beta" holds a valid API key and a valid browser session. Every operation that takes an account id
answers beta's requests for alfa's account exactly as for an account that does not exist (404, same body),
even with a CSRF token signed for that account; every operation that lists accounts or events shows beta
nothing of alfa's. The same requests with alfa's credentials succeed, so the routes do work.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import ClientResponse

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.clock import utcnow
from worker.connect.signing import Signer
from worker.context import AppContext
from worker.store.accounts import get_account
from worker.web.openapi import build_document

MISSING = 2_000_000_000


def operations(context: AppContext) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(taking an account id, listing accounts or events) operations of the document."""
    by_id, listing = [], []
    for path, item in build_document(context.settings.ml_redirect_uri)["paths"].items():
        for method, op in item.items():
            schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "{account_id}" in path:
                by_id.append((method.upper(), path))
            elif schema.get("$ref", "").split("/")[-1] in {"EventPage", "AccountList"}:
                listing.append((method.upper(), path))
    return by_id, listing


async def call(client: Client, context: AppContext, who: Tenant, method: str, url: str, **form: str) -> ClientResponse:
    return await client.request(method, url, headers=who.auth, cookies=who.browser(context.settings), data=form)


def csrf_for(context: AppContext, account_id: int) -> str:
    """A CSRF token for `account_id`, as if one had leaked (its session id is not checked before scoping)."""
    signer = Signer(context.settings.secret_key.get_secret_value(), "csrf")
    return signer.sign({"sid": "x" * 32, "acc": account_id}, now=utcnow(), ttl=timedelta(hours=1))


async def test_account_routes_answer_another_business_as_if_the_account_did_not_exist(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants
    by_id, _ = operations(context)
    seen: dict[tuple[str, str], tuple[int, bool, int]] = {}
    for method, path in by_id:
        form = {"csrf": csrf_for(context, alfa.account_id)} if method == "POST" else {}
        other = await call(client, context, beta, method, path.replace("{account_id}", str(alfa.account_id)), **form)
        missing = await call(client, context, beta, method, path.replace("{account_id}", str(MISSING)), **form)
        readable = path.removesuffix("/disconnect").replace("{account_id}", str(alfa.account_id))
        own = await call(client, context, alfa, "GET", readable)  # the owner can read it (disconnect: its page)
        seen[(method, path)] = (other.status, await other.read() == await missing.read(), own.status)

    assert set(seen) >= {("GET", "/api/v1/accounts/{account_id}"), ("GET", "/accounts/{account_id}"),
                         ("POST", "/accounts/{account_id}/disconnect")}  # fmt: skip
    assert seen == dict.fromkeys(by_id, (404, True, 200))
    account = await get_account(context.db, alfa.account_id)
    assert account is not None and account.status == "active"


def business_ids(document: Any) -> set[int]:
    if isinstance(document, dict):
        found = {document["business_id"]} if "business_id" in document else set()
        return found.union(*(business_ids(value) for value in document.values()))
    if isinstance(document, list):
        return set().union(*(business_ids(value) for value in document))
    return set()


async def test_listings_show_a_business_only_its_own_accounts_and_events(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants
    _, listing = operations(context)
    seen = {}
    for method, path in listing:
        response = await call(client, context, beta, method, f"{path}?limit=1000" if "events" in path else path)
        text = (await response.text()).lower()
        seen[(method, path)] = (response.status, "alfa" in text or str(alfa.seller_id) in text, "beta" in text)

    assert set(seen) == {("GET", "/api/v1/events"), ("GET", "/api/v1/accounts")}
    assert seen == dict.fromkeys(listing, (200, False, True))
    events = await (await call(client, context, beta, "GET", "/api/v1/events?limit=1000")).json()
    assert [e["id"] for e in events["events"]] == list(beta.event_ids)
    assert business_ids(events) == {beta.business_id}
