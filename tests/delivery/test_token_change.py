"""A business's Hellotext token replaced: by another token of the same Hellotext business, the ids we keep for
what we created there stay; by a token of another Hellotext business, they are dropped (they name nothing
there), so the next events create their profile, products and order in the new business."""

from __future__ import annotations

from collections import Counter

from tests.delivery.conftest import Shop
from tests.hellotext.conftest import TOKEN_2
from worker.delivery.connect import HellotextApi, configure
from worker.store.hellotext import one_saved_id


async def kinds_kept(shop: Shop) -> list[str]:
    return [
        kind
        for kind in ("property", "profile", "product", "order")
        if await one_saved_id(shop.db, shop.business_id, kind)
    ]


async def replace_token(shop: Shop, token: str) -> None:
    await configure(shop.db, shop.cipher, HellotextApi(shop.fake.url, 2.0), shop.business_id, token=token)
    shop.token = token


async def test_another_token_of_the_same_business_keeps_the_ids(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    assert await shop.run() == Counter(delivered=1)
    shop.fake.state.add_token("ht_rotated", of=shop.token)

    await replace_token(shop, "ht_rotated")
    await shop.order("2000001", "order.shipped")

    assert await kinds_kept(shop) == ["property", "profile", "product", "order"]
    assert await shop.run() == Counter(delivered=1)
    kept = shop.fake.oracle("ht_rotated")
    assert (len(kept["profiles"]), len(kept["orders"]), [e["action"] for e in kept["events"]]) == (
        1, 1, ["order.confirmed", "order.shipped"],
    )  # fmt: skip


async def test_a_token_of_another_business_starts_afresh_there(shop: Shop) -> None:
    await shop.order("2000001", "order.confirmed")
    assert await shop.run() == Counter(delivered=1)

    await replace_token(shop, TOKEN_2)  # "Tienda Dos" in the fake: another Hellotext business
    await shop.order("2000001", "order.shipped")

    assert await kinds_kept(shop) == []
    assert await shop.run() == Counter(delivered=1)
    there = shop.fake.oracle(TOKEN_2)
    assert (len(there["profiles"]), len(there["orders"]), [e["action"] for e in there["events"]]) == (
        1, 1, ["order.shipped"],
    )  # fmt: skip
    assert there["events"][0]["object"] == there["orders"][0]["id"]
