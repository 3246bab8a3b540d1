"""Missed feeds per caller (each seller sees its own notifications) and the Global Selling seller, whose
notifications use the `marketplace_*` topics with a string `user_id`, and whose orders are also served
under `/marketplace/orders/{id}`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandboxes.mercadolibre import SandboxConfig
from sandboxes.mercadolibre.builder import build_world
from sandboxes.mercadolibre.config import ConfigValueError
from tests.sandboxes.mercadolibre.conftest import (
    CLIENT_ID,
    FIRST_BUYER,
    SELLER,
    SELLER_2,
    MakeClient,
    bearer,
    create_order,
    token_for,
    transition,
)
from tests.sandboxes.mercadolibre.story import CLAIM, ITEMS, ORDER, PAYMENT, SHIPMENT, fetch

BUYER_OF_SELLER_2 = FIRST_BUYER + 8  # each seller has 8 buyers when no orders are planned
APP_ID = int(CLIENT_ID)


async def missed(client: TestClient[Any, Any], seller_id: int) -> list[dict[str, Any]]:
    headers = bearer(await token_for(client, seller_id))
    body = await fetch(client, "/missed_feeds", headers, params={"app_id": CLIENT_ID, "limit": "50"})
    messages: list[dict[str, Any]] = body["messages"]
    return messages


async def test_missed_feeds_list_only_the_callers_notifications(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)  # SELLER: ORDER
    await create_order(client, seller_id=SELLER_2, buyer_id=BUYER_OF_SELLER_2, items=ITEMS)  # SELLER_2: ORDER + 1

    mine, theirs = await missed(client, SELLER), await missed(client, SELLER_2)

    assert [(m["topic"], m["resource"], m["user_id"]) for m in mine] == [
        ("orders_v2", f"/orders/{ORDER}", SELLER),
        ("payments", f"/collections/{PAYMENT}", SELLER),
        ("shipments", f"/shipments/{SHIPMENT}", SELLER),
    ]
    assert [(m["topic"], m["resource"], m["user_id"]) for m in theirs] == [
        ("orders_v2", f"/orders/{ORDER + 1}", SELLER_2),
        ("payments", f"/collections/{PAYMENT + 1}", SELLER_2),
        ("shipments", f"/shipments/{SHIPMENT + 1}", SELLER_2),
    ]
    data = json.loads(mine[0]["request"]["data"])
    assert "_id" not in data and "_id" in mine[0]
    assert (data["user_id"], data["attempts"]) == (str(SELLER), 1)


async def test_claim_entries_keep_their_id_at_the_top_only(client: TestClient[Any, Any]) -> None:
    await create_order(client, items=ITEMS)
    await transition(client, ORDER, "pay")
    await transition(client, ORDER, "open_claim")

    entry = next(m for m in await missed(client, SELLER) if m["topic"] == "post_purchase")

    data = json.loads(entry["request"]["data"])
    assert (entry["resource"], entry["actions"], "id" in entry) == (
        f"/post-purchase/v1/claims/{CLAIM}",
        ["claims"],
        False,
    )
    assert ("_id" in data, "id" in data, data["user_id"]) == (False, False, str(SELLER))


async def test_global_selling_seller_uses_marketplace_topics(make_client: MakeClient) -> None:
    client = await make_client(SandboxConfig(sellers=2, orders=0, global_sellers=1))
    await create_order(client, seller_id=SELLER_2, buyer_id=BUYER_OF_SELLER_2, items=ITEMS)
    await transition(client, ORDER, "pay")
    await transition(client, ORDER, "open_claim")
    headers = bearer(await token_for(client, SELLER_2))

    messages = await missed(client, SELLER_2)
    marketplace = await client.get(f"/marketplace/orders/{ORDER}", headers=headers)
    plain = await client.get(f"/orders/{ORDER}", headers=headers)
    sellers = await (await client.get("/_sandbox/sellers")).json()

    assert [(m["topic"], m["resource"], m["user_id"]) for m in messages][:3] == [
        ("marketplace_orders", f"/marketplace/orders/{ORDER}", str(SELLER_2)),
        ("payments", f"/collections/{PAYMENT}", SELLER_2),  # GS documents no marketplace payments topic
        ("marketplace_shipments", f"/marketplace/shipments/{SHIPMENT}", str(SELLER_2)),
    ]
    claims = [m for m in messages if m["topic"] == "marketplace_claims"]
    assert [(m["resource"], "actions" in m) for m in claims] == [(f"/marketplace/claims/{CLAIM}", False)]
    assert (marketplace.status, await marketplace.read()) == (200, await plain.read())
    aliases = {
        f"/marketplace/shipments/{SHIPMENT}": f"/shipments/{SHIPMENT}",
        f"/marketplace/claims/{CLAIM}": f"/post-purchase/v1/claims/{CLAIM}",
    }
    for alias, path in aliases.items():
        served = await (await client.get(alias, headers=headers)).read()
        assert served == await (await client.get(path, headers=headers)).read()
    assert [s["global_selling"] for s in sellers["sellers"]] == [False, True]


async def test_a_global_selling_seller_can_be_added(client: TestClient[Any, Any]) -> None:
    response = await client.post("/_sandbox/sellers", json={"site_id": "MLM", "global_selling": True})
    bad = await client.post("/_sandbox/sellers", json={"global_selling": "yes"})

    assert (response.status, (await response.json())["global_selling"]) == (201, True)
    assert bad.status == 400


def test_global_sellers_cannot_outnumber_sellers() -> None:
    with pytest.raises(ConfigValueError, match="global_sellers must be between 0 and sellers"):
        build_world(SandboxConfig(sellers=1, orders=0, global_sellers=2))
