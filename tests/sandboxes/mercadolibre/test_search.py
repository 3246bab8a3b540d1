"""`/orders/search` and `/post-purchase/v1/claims/search`: filters, paging, offset cap, ML-style errors."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import SandboxConfig
from sandboxes.mercadolibre.clock import iso_utc
from tests.sandboxes.mercadolibre.conftest import (
    SELLER,
    SELLER_2,
    MakeClient,
    bearer,
    create_order,
    ml_error,
    sandbox_of,
    token_for,
    transition,
)

ITEMS = [{"title": "Yerba", "unit_price": "10.00", "quantity": 1}]
ORD = [2000010000000000 + n for n in range(5)]


async def five_orders(client: TestClient[Any, Any]) -> dict[str, str]:
    """Orders created 12:01..12:05 UTC; ORD[1] cancelled at 12:06; ORD[0] paid at 12:07."""
    for _ in range(5):
        await create_order(client, items=ITEMS)
    await transition(client, ORD[1], "cancel")
    await transition(client, ORD[0], "pay")
    return bearer(await token_for(client))


async def search(client: TestClient[Any, Any], headers: dict[str, str], **params: str) -> Any:
    return await client.get("/orders/search", params={"seller": str(SELLER), **params}, headers=headers)


async def ids(client: TestClient[Any, Any], headers: dict[str, str], **params: str) -> tuple[int, list[int]]:
    response = await search(client, headers, **params)
    assert response.status == 200, await response.text()
    body = await response.json()
    return body["paging"]["total"], [order["id"] for order in body["results"]]


async def test_paging_and_sort(client: TestClient[Any, Any]) -> None:
    headers = await five_orders(client)

    first = await (await search(client, headers, limit="2")).json()

    assert first["paging"] == {"total": 5, "offset": 0, "limit": 2}
    assert [o["id"] for o in first["results"]] == ORD[:2]
    assert first["results"][0]["status"] == "paid"  # full order documents
    assert (first["sort"], first["query"]) == ({"id": "date_asc", "name": "Date ascending"}, None)
    assert await ids(client, headers, offset="4") == (5, [ORD[4]])
    assert await ids(client, headers, sort="date_desc", limit="2") == (5, [ORD[4], ORD[3]])
    assert await ids(client, headers) == (5, ORD)


async def test_date_filters(client: TestClient[Any, Any]) -> None:
    headers = await five_orders(client)

    created = await ids(
        client,
        headers,
        **{"order.date_created.from": "2026-03-02T09:02:00.000-03:00", "order.date_created.to": "2026-03-02T12:03:00Z"},
    )
    updated = await ids(client, headers, **{"order.date_last_updated.from": "2026-03-02T12:06:00.000-00:00"})
    closed = await ids(client, headers, **{"order.date_closed.to": "2026-03-02T12:07:00.000Z"})

    assert created == (2, [ORD[1], ORD[2]])
    assert updated == (2, [ORD[0], ORD[1]])
    assert closed == (1, [ORD[0]])


async def test_status_filter_and_q(client: TestClient[Any, Any]) -> None:
    headers = await five_orders(client)

    assert await ids(client, headers, **{"order.status": "cancelled"}) == (1, [ORD[1]])
    assert await ids(client, headers, **{"order.status": "paid,cancelled"}) == (2, [ORD[0], ORD[1]])
    assert await ids(client, headers, q=str(ORD[3])) == (1, [ORD[3]])


async def test_cancelled_can_be_hidden_unless_asked_for(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=1, orders=0, search_hide_cancelled=True))
    headers = await five_orders(client)

    assert await ids(client, headers) == (4, [ORD[0], ORD[2], ORD[3], ORD[4]])
    assert await ids(client, headers, **{"order.status": "cancelled"}) == (1, [ORD[1]])


async def test_offset_cap(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=1, orders=0, search_offset_cap=100))
    headers = await five_orders(client)

    at_cap = await search(client, headers, offset="100")
    beyond = await search(client, headers, offset="101")

    assert (await at_cap.json())["paging"] == {"total": 5, "offset": 100, "limit": 50}
    assert (beyond.status, await beyond.json()) == (
        400,
        ml_error(400, "bad_request", "offset must be lower than or equal to 100"),
    )


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"limit": "51"}, 400, "limit must be between 1 and 50"),
        ({"limit": "0"}, 400, "limit must be between 1 and 50"),
        ({"offset": "-1"}, 400, "offset must be a non-negative integer"),
        ({"offset": "ten"}, 400, "invalid offset: 'ten'"),
        ({"sort": "price_asc"}, 400, "invalid sort: price_asc"),
        ({"order.status": "shipped"}, 400, "invalid order.status: shipped"),
        (
            {"order.date_created.from": "2026-03-02 00:00:00"},
            400,
            "invalid order.date_created.from: date without a UTC offset: '2026-03-02 00:00:00'",
        ),
        (
            {"order.date_last_updated.to": "yesterday"},
            400,
            "invalid order.date_last_updated.to: invalid date: 'yesterday'",
        ),
    ],
)
async def test_bad_query_params_are_ml_style_400(
    client: TestClient[Any, Any], params: dict[str, str], status: int, message: str
) -> None:
    headers = bearer(await token_for(client))

    response = await search(client, headers, **params)

    assert (response.status, await response.json()) == (status, ml_error(status, "bad_request", message))


async def test_seller_param_is_required_and_must_be_the_caller(client: TestClient[Any, Any]) -> None:
    headers = bearer(await token_for(client))

    missing = await client.get("/orders/search", headers=headers)
    other = await client.get("/orders/search", params={"seller": str(SELLER_2)}, headers=headers)
    no_token = await client.get("/orders/search", params={"seller": str(SELLER)})

    assert (missing.status, await missing.json()) == (
        400,
        ml_error(400, "bad_request", "seller or buyer param is required"),
    )
    assert (other.status, await other.json()) == (
        403,
        ml_error(403, "forbidden", "caller.id does not match the seller param"),
    )
    assert no_token.status == 401


async def test_walking_day_windows_finds_every_historical_order(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=1, orders=0, historical_orders=150, history_days=40))
    headers = bearer(await token_for(client))
    world = sandbox_of(client).world
    found: list[int] = []

    for day_ms in range(world.start_ms - 41 * 86_400_000, world.start_ms, 86_400_000):
        window = {
            "order.date_created.from": iso_utc(day_ms),
            "order.date_created.to": iso_utc(day_ms + 86_400_000 - 1),
            "limit": "50",
        }
        offset = 0
        while True:
            total, page = await ids(client, headers, offset=str(offset), **window)
            found.extend(page)
            offset += 50
            if offset >= total:
                break

    assert sorted(found) == sorted(o.id for o in world.seller_orders[SELLER])
    assert len(found) == len(world.orders)


# --- claims search -------------------------------------------------------------------------------------------
CLAIMS = (5300000000, 5300000001)


async def two_claims(client: TestClient[Any, Any]) -> dict[str, str]:
    """ORD[0]: claim opened 12:03 (open). ORD[1]: claim opened 12:06, closed 12:07."""
    for order in ORD[:2]:
        await create_order(client, items=ITEMS)
        await transition(client, order, "pay")
        await transition(client, order, "open_claim", type="return" if order == ORD[1] else "mediations")
    await transition(client, ORD[1], "close_claim", reason="worked_out_with_seller")
    return bearer(await token_for(client))


async def claim_ids(client: TestClient[Any, Any], headers: dict[str, str], **params: str) -> tuple[int, list[int]]:
    response = await client.get("/post-purchase/v1/claims/search", params=params, headers=headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    return body["paging"]["total"], [claim["id"] for claim in body["data"]]


async def test_claims_search_filters(client: TestClient[Any, Any]) -> None:
    headers = await two_claims(client)
    seller = {"players.role": "respondent", "players.user_id": str(SELLER)}

    assert await claim_ids(client, headers, **seller) == (2, list(CLAIMS))
    assert await claim_ids(client, headers, **seller, sort="date_created:desc") == (2, [CLAIMS[1], CLAIMS[0]])
    assert await claim_ids(client, headers, status="opened") == (1, [CLAIMS[0]])
    assert await claim_ids(client, headers, type="return") == (1, [CLAIMS[1]])
    assert await claim_ids(client, headers, resource="order", resource_id=str(ORD[1])) == (1, [CLAIMS[1]])
    assert await claim_ids(client, headers, order_id=str(ORD[0])) == (1, [CLAIMS[0]])
    window = "date_created:after:2026-03-02T12:04:00.000Z,before:2026-03-02T12:06:00.000Z"
    assert await claim_ids(client, headers, range=window) == (1, [CLAIMS[1]])
    assert await claim_ids(client, headers, **seller, limit="1", offset="1") == (2, [CLAIMS[1]])
    other = bearer(await token_for(client, SELLER_2))
    assert await claim_ids(client, other, status="opened") == (0, [])


async def test_claims_search_paging_object(client: TestClient[Any, Any]) -> None:
    headers = await two_claims(client)

    body = await (await client.get("/post-purchase/v1/claims/search?status=closed", headers=headers)).json()

    assert body["paging"] == {"total": 1, "offset": 0, "limit": 30}
    assert body["data"][0]["resolution"]["reason"] == "worked_out_with_seller"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "at least one filter is required"),
        ({"limit": "5"}, "at least one filter is required"),
        ({"resource": "order"}, "resource and resource_id must be sent together"),
        ({"players.role": "respondent"}, "players.role and players.user_id must be sent together"),
        ({"order_id": "1", "pack_id": "2"}, "order_id and pack_id are mutually exclusive"),
        ({"status": "opened", "limit": "101"}, "limit must be between 1 and 100"),
        ({"status": "opened", "offset": "10000"}, "offset must be between 0 and 9999"),
        ({"status": "opened", "sort": "amount:asc"}, "invalid sort: amount:asc"),
        ({"range": "date_created:after:soon"}, "invalid range date: soon"),
        ({"id": "x"}, "invalid id: 'x'"),
    ],
)
async def test_claims_search_errors(client: TestClient[Any, Any], params: dict[str, str], message: str) -> None:
    headers = bearer(await token_for(client))

    response = await client.get("/post-purchase/v1/claims/search", params=params, headers=headers)

    assert (response.status, await response.json()) == (400, ml_error(400, "invalid_query", message))
