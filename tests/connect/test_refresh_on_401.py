"""The ML client refreshes a rejected token once: our real MlClient and TokenProvider against the sandbox (its
single-use refresh tokens) and, for a token ML keeps refusing, a tiny server on loopback. Real DB and Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.errors import AuthError
from connectors.mercadolibre.client import MlClient, Seller
from tests.connect.conftest import Stack
from tests.connect.test_tokens import linked, provider
from worker.pipeline.reactions import Reaction, reaction_to
from worker.store.accounts import get_account
from worker.store.models import AccountStatus


async def seller_of(stack: Stack, account_id: int) -> Seller:
    account = await get_account(stack.context.db, account_id)
    assert account is not None
    return Seller(account_id, account.seller_id)


async def me_calls(stack: Stack) -> list[int]:
    async with stack.sandbox.http.get(
        f"{stack.sandbox.base}/_sandbox/requests", params={"path_prefix": "/users/me"}
    ) as response:
        return [call["status"] for call in (await response.json())["requests"]]


async def test_a_401_then_success_refreshes_exactly_once(stack: Stack, http: aiohttp.ClientSession) -> None:
    account_id = await linked(stack)
    tokens = provider(stack, http)
    client = MlClient(http, stack.sandbox.base, tokens)
    await tokens.access_token(account_id)  # the token the client will send first
    await stack.sandbox.control("/tokens/expire")  # ML expired it meanwhile

    me = await client.get(await seller_of(stack, account_id), "/users/me")

    assert me["id"] == (await seller_of(stack, account_id)).seller_id
    assert await me_calls(stack) == [401, 200]
    assert [(call["method"], call["status"]) for call in await stack.sandbox.token_calls()] == [("POST", 200)]
    assert client.calls == 2


async def test_concurrent_requests_after_a_401_share_one_refresh(stack: Stack, http: aiohttp.ClientSession) -> None:
    account_id = await linked(stack)
    tokens = provider(stack, http)
    client = MlClient(http, stack.sandbox.base, tokens)
    await tokens.access_token(account_id)
    await stack.sandbox.control("/tokens/expire")
    seller = await seller_of(stack, account_id)

    answers = await asyncio.gather(*(client.get(seller, "/users/me") for _ in range(8)))

    assert {answer["id"] for answer in answers} == {seller.seller_id}
    assert len(await stack.sandbox.token_calls()) == 1
    assert sorted(await me_calls(stack)) == [200] * 8 + [401] * 8


class AlwaysRefuses:
    """A stand-in for ML's API that answers 401 to every token, and notes the tokens it was shown."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.tokens.append(request.headers["Authorization"].removeprefix("Bearer "))
        body: dict[str, Any] = {"message": "invalid access token", "error": "unauthorized", "status": 401}
        return web.json_response(body, status=401)


async def test_two_401s_in_a_row_refresh_once_and_surface_as_an_auth_error(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    account_id = await linked(stack)
    tokens = provider(stack, http)
    refusing = AlwaysRefuses()
    app = web.Application()
    app.router.add_get("/users/me", refusing.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        client = MlClient(http, str(server.make_url("")).rstrip("/"), tokens)
        with pytest.raises(AuthError, match=r"GET /users/me: unauthorized \(401\)") as raised:
            await client.get(await seller_of(stack, account_id), "/users/me")
    finally:
        await server.close()

    assert len(refusing.tokens) == 2 and refusing.tokens[0] != refusing.tokens[1]  # the second try had a new one
    assert len(await stack.sandbox.token_calls()) == 1
    assert reaction_to(raised.value) == Reaction.PARK  # jobs park the seller's work until it reconnects
    account = await get_account(stack.context.db, account_id)
    assert account is not None and account.status == AccountStatus.ACTIVE.value  # the refresh itself worked
