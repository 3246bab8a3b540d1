"""GET /api/v1/events: business-scoped, cursor-paginated, API key required."""

from __future__ import annotations

import pytest

from tests.harness.shop import open_shop, record
from tests.web.conftest import Client
from worker.context import AppContext
from worker.store.events import append_events


async def business_with_events(context: AppContext, name: str, keys: list[str]) -> str:
    shop = await open_shop(context.db, name, buyer="77")
    await append_events(context.db, shop.business_id, [record(shop, key) for key in keys])
    return shop.api_key


async def test_each_business_reads_only_its_events_with_a_cursor(client: Client, context: AppContext) -> None:
    key_a = await business_with_events(context, "A", ["a1", "a2", "a3"])
    key_b = await business_with_events(context, "B", ["b1"])

    first = await (await client.get("/api/v1/events?limit=2", headers={"Authorization": f"Bearer {key_a}"})).json()
    rest = await (
        await client.get(f"/api/v1/events?after={first['next_after']}", headers={"Authorization": f"Bearer {key_a}"})
    ).json()
    other = await (await client.get("/api/v1/events", headers={"Authorization": f"Bearer {key_b}"})).json()

    assert [e["dedupe_key"] for e in first["events"]] == ["a1", "a2"]
    assert [e["dedupe_key"] for e in rest["events"]] == ["a3"]
    assert rest["next_after"] == rest["events"][0]["id"]
    assert [e["dedupe_key"] for e in other["events"]] == ["b1"]


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("", {}, 401),
        ("", {"Authorization": "Bearer mk_wrong"}, 401),
        ("?limit=0", None, 400),
        ("?limit=5000", None, 400),
        ("?after=-1", None, 400),
        ("?after=abc", None, 400),
    ],
)
async def test_bad_requests(
    client: Client, context: AppContext, query: str, headers: dict[str, str] | None, status: int
) -> None:
    key = await business_with_events(context, "A", ["a1"])

    response = await client.get(
        f"/api/v1/events{query}", headers=headers if headers is not None else {"Authorization": f"Bearer {key}"}
    )

    assert response.status == status
    assert (await response.json())["error"] in {"unauthorized", "invalid_request"}
