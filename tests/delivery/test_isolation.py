"""One business's Hellotext trouble is its own: another business's lane delivers meanwhile, at full speed."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.delivery.conftest import Shop


async def _hanging_server() -> TestServer:
    async def hang(_request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_an_outage_of_one_business_s_hellotext_does_not_delay_another(shop: Shop, second_shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed", "order.shipped")
    await second_shop.order("3000001", "order.confirmed", "order.shipped", buyer="3344")
    server = await _hanging_server()
    try:
        began = time.monotonic()
        stuck = asyncio.ensure_future(shop.run(wait=1.5, url=str(server.make_url("")).rstrip("/")))
        assert await second_shop.run() == Counter(delivered=2)
        other_took = time.monotonic() - began
        assert await stuck == Counter(waiting=1)  # one timeout, then the lane stops for now
    finally:
        await server.close()
    assert other_took < 1.0
    assert [row[1] for row in await shop.deliveries()] == ["pending", "pending"]
    assert len(second_shop.sent()) == 2


async def test_a_revoked_token_stops_only_its_own_business(shop: Shop, second_shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    await second_shop.order("3000001", "order.confirmed", buyer="3344")
    shop.fake.state.revoke(shop.token)
    assert await shop.run() == Counter(waiting=1)
    assert await second_shop.run() == Counter(delivered=1)
