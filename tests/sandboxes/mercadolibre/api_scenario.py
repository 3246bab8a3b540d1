"""The hand-built order the REST API tests read: times are local MLA minutes (09:MM-03:00)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import bearer, create_order, token_for, transition

ORDER, PAYMENT, SHIPMENT, CLAIM, REFUND = 2000010000000000, 91200000000, 44010000000, 5300000000, 1870000000
PACK = 2000005000000000


def t(minute: int) -> str:
    return f"2026-03-02T09:{minute:02d}:00.000-03:00"


async def shipped_order_with_claim(client: TestClient[Any, Any]) -> dict[str, str]:
    """Order created 09:01 local, paid 09:02, ready 09:03, shipped 09:04, refund 09:05, claim 09:06."""
    await create_order(client, items=[{"title": "Mate", "unit_price": "1500.50", "quantity": 2}], shipping_cost="500")
    for kind in ("pay", "ready_to_ship", "ship"):
        await transition(client, ORDER, kind)
    await transition(client, ORDER, "partial_refund", amount="100")
    await transition(client, ORDER, "open_claim")
    return bearer(await token_for(client))
