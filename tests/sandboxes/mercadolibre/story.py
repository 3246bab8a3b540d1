"""Helpers for the hand-built stories of the state tests: one control call per simulated minute from 12:01
UTC (09:MM local in MLA), exact oracle rows and documents."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.mercadolibre.conftest import FIRST_BUYER, SELLER

ORDER = 2000010000000000
PACK = 2000005000000000
PAYMENT = 91200000000
SHIPMENT = 44010000000
CLAIM = 5300000000
REFUND = 1870000000
ITEMS = [{"title": "Mate de calabaza", "unit_price": "1000.00", "quantity": 2}]


def local(minute: int) -> str:
    return f"2026-03-02T09:{minute:02d}:00.000-03:00"


def utc(minute: int) -> str:
    return f"2026-03-02T12:{minute:02d}:00.000Z"


def ev(action: str, order: int, minute: int, amount: str | None, key: str) -> dict[str, Any]:
    return {
        "action": action,
        "order_reference": str(order),
        "buyer_id": str(FIRST_BUYER),
        "tracked_at": utc(minute),
        "amount": amount,
        "currency": "ARS",
        "dedupe_key": key,
    }


def confirmed(order: int, minute: int, amount: str = "2000.00") -> dict[str, Any]:
    return ev("order.confirmed", order, minute, amount, f"ml:order:{order}:confirmed")


def shipped(order: int, minute: int, amount: str = "2000.00") -> dict[str, Any]:
    return ev("order.shipped", order, minute, amount, f"ml:order:{order}:shipped")


def delivered(order: int, minute: int, amount: str = "2000.00") -> dict[str, Any]:
    return ev("order.delivered", order, minute, amount, f"ml:order:{order}:delivered")


def cancelled(order: int, minute: int, amount: str = "2000.00") -> dict[str, Any]:
    return ev("order.cancelled", order, minute, amount, f"ml:order:{order}:cancelled")


def received(order: int, minute: int, amount: str, refund_id: int) -> dict[str, Any]:
    return ev("refund.received", order, minute, amount, f"ml:refund:{refund_id}")


async def oracle(
    client: TestClient[Any, Any], seller_id: int = SELLER, with_known_at: bool = False
) -> list[dict[str, Any]]:
    params = {"seller_id": str(seller_id)} | ({"with_known_at": "true"} if with_known_at else {})
    response = await client.get("/_sandbox/expected-events", params=params)
    assert response.status == 200
    events: list[dict[str, Any]] = (await response.json())["events"]
    return events


async def fetch(
    client: TestClient[Any, Any],
    path: str,
    headers: dict[str, str],
    status: int = 200,
    params: dict[str, str] | None = None,
) -> Any:
    response = await client.get(path, headers=headers, params=params or {})
    assert response.status == status, await response.text()
    return await response.json()
