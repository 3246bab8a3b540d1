"""Same seed, same world: byte-identical resources and oracle, whatever drives the clock or faults do."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import Faults, SandboxConfig
from sandboxes.mercadolibre.render import dumps, order_bytes
from sandboxes.mercadolibre.render_claims import claim_bytes, return_bytes
from sandboxes.mercadolibre.render_docs import history_doc, shipment_bytes
from sandboxes.mercadolibre.render_payment import payment_bytes
from tests.sandboxes.mercadolibre.conftest import MakeClient, bearer, sandbox_of, token_for


def config(seed: int = 11, **extra: Any) -> SandboxConfig:
    return SandboxConfig(seed=seed, sellers=3, orders=25, historical_orders=80, history_days=90, **extra)


def all_resource_bytes(client: TestClient[Any, Any]) -> list[bytes]:
    world = sandbox_of(client).world
    return [
        *(order_bytes(world, o) for o in world.orders.values()),
        *(payment_bytes(world, p) for p in world.payments.values()),
        *(shipment_bytes(world, s, new) for s in world.shipments.values() for new in (True, False)),
        *(dumps(history_doc(s)) for s in world.shipments.values()),
        *(claim_bytes(c) for c in world.claims.values()),
        *(return_bytes(world, c, c.return_) for c in world.claims.values() if c.return_ is not None),
    ]


async def http_snapshot(client: TestClient[Any, Any]) -> list[bytes]:
    """Raw bytes of every order search page and every oracle answer, seller by seller."""
    pages: list[bytes] = []
    for seller_id in sandbox_of(client).world.sellers:
        headers = bearer(await token_for(client, seller_id))
        offset, total = 0, 1
        while offset < total:
            params = {"seller": str(seller_id), "offset": str(offset)}
            response = await client.get("/orders/search", params=params, headers=headers)
            body = await response.read()
            total = (await response.json())["paging"]["total"]
            pages.append(body)
            offset += 50
        oracle = await client.get("/_sandbox/expected-events", params={"seller_id": str(seller_id)})
        pages.append(await oracle.read())
    return pages


async def advance_all(client: TestClient[Any, Any]) -> None:
    response = await client.post("/_sandbox/advance", json={"steps": "all"})
    assert response.status == 200


async def test_same_seed_gives_byte_identical_resources_and_oracle(make_client: MakeClient) -> None:
    first, second = await make_client(config()), await make_client(config())
    await advance_all(first)
    await advance_all(second)

    assert all_resource_bytes(first) == all_resource_bytes(second)
    assert await http_snapshot(first) == await http_snapshot(second)


async def test_another_seed_gives_another_world(make_client: MakeClient) -> None:
    first, other = await make_client(config(seed=11)), await make_client(config(seed=12))
    await advance_all(first)
    await advance_all(other)

    assert await http_snapshot(first) != await http_snapshot(other)


async def test_faults_and_the_wall_clock_driver_do_not_change_the_world(make_client: MakeClient) -> None:
    stepped = await make_client(config())
    driven = await make_client(config(rate=5000.0, faults=Faults(fault_5xx=0.3, latency_ms=1)))
    await advance_all(stepped)
    for _ in range(200):
        if sandbox_of(driven).engine.pending == 0:
            break
        await asyncio.sleep(0.02)
    await driven.put("/_sandbox/faults", json={"fault_5xx": 0, "latency_ms": 0})

    assert sandbox_of(driven).engine.pending == 0
    assert all_resource_bytes(stepped) == all_resource_bytes(driven)
    assert await http_snapshot(stepped) == await http_snapshot(driven)


async def test_stepwise_advance_equals_advance_all(make_client: MakeClient) -> None:
    stepped, at_once = await make_client(config()), await make_client(config())
    while sandbox_of(stepped).engine.pending:
        await stepped.post("/_sandbox/advance", json={"steps": 7})
    await advance_all(at_once)

    assert all_resource_bytes(stepped) == all_resource_bytes(at_once)
