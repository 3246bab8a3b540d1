"""JSON columns take documents as parsed (exact Decimals) and write them as JSON numbers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from connectors.events import OrderSnapshot
from connectors.mercadolibre.payloads import load_json
from tests.harness.shop import T0, Shop
from worker.store.db import Database, dump_json
from worker.store.models import OrderObject
from worker.store.profiles import upsert_order_object

RAW = b'{"id": 1, "total_amount": 15999.50, "tiny": 0.1, "items": [{"unit_price": 1e2, "n": 3}], "none": null}'


async def test_an_order_objects_raw_document_is_stored_with_its_amounts_as_numbers(db: Database, shop: Shop) -> None:
    order = OrderSnapshot("2000009876543211", "mercadolibre", "paid", T0, raw=load_json(RAW))

    await upsert_order_object(db, shop.business_id, order, shop.subscriber_id)

    async with db.transaction() as session:
        stored = (await session.exec(select(OrderObject).where(OrderObject.reference == order.reference))).one()
    assert stored.raw == {"id": 1, "total_amount": 15999.5, "tiny": 0.1, "items": [{"unit_price": 100.0, "n": 3}],
                          "none": None}  # fmt: skip


def test_decimals_print_as_the_shortest_number_that_reads_back() -> None:
    assert dump_json(load_json(RAW)) == (
        '{"id":1,"total_amount":15999.5,"tiny":0.1,"items":[{"unit_price":100.0,"n":3}],"none":null}'
    )
    assert dump_json(load_json(b'{"big": 1e400}')) == '{"big":"1E+400"}'  # too big for a float: kept as text


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError, match="not JSON serializable: set"):
        dump_json({"x": {1}})
