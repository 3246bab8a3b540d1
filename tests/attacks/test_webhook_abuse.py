"""The webhook's defences against forged notifications: the path secret, the source allow-list, the per-seller
intake budget and pending bound, and the attempt budget of a row when ML keeps failing."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from arq.constants import job_key_prefix
from pydantic import SecretStr
from sqlmodel import col, select

from sandboxes.mercadolibre import SandboxConfig
from tests.attacks.conftest import Client
from tests.conftest import _truncate
from tests.fuzz.live import Tenant, add_tenant, forget_redis_keys
from tests.pipeline.harness import offline_world
from worker.context import AppContext, app_context
from worker.pipeline.queue import catchup_job_id, catchup_slot
from worker.settings import Settings
from worker.store.models import InboxRow
from worker.web.app import create_app
from worker.web.gate import OVER_BUDGET, TOO_MANY_PENDING, IntakeGate
from worker.web.keys import INTAKE

SECRET = "Zq8k3Vt1mW9xR2pL7sN4bY6cH0dJ5fG"


def note(tenant: Tenant, order: int) -> dict[str, object]:
    return {"topic": "orders_v2", "resource": f"/orders/{order}", "user_id": tenant.seller_id,
            "application_id": 1234567890123456}  # fmt: skip


@pytest.fixture
async def served(
    settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Client, AppContext, Tenant]]:
    """The app with the settings the test names (indirect parameter), and one tenant."""
    async with app_context(settings.model_copy(update=request.param)) as context:
        await _truncate(context.db)
        tenant = await add_tenant(context, "alfa", 700000001, events=0)
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            yield client, context, tenant
        await forget_redis_keys(context, context.settings.queue_name)


async def rows(context: AppContext) -> list[tuple[str, str | None]]:
    async with context.db.transaction() as session:
        found = (await session.exec(select(InboxRow).order_by(col(InboxRow.id)))).all()
    return [(row.status, row.reason) for row in found]


@pytest.mark.parametrize("served", [{"webhook_path_secret": SecretStr(SECRET)}], indirect=True)
async def test_with_a_path_secret_only_the_secret_path_takes_notifications(
    served: tuple[Client, AppContext, Tenant],
) -> None:
    client, context, tenant = served

    bare = await client.post("/webhooks/mercadolibre", json=note(tenant, 1))
    wrong = await client.post("/webhooks/mercadolibre/" + SECRET[:-1] + "x", json=note(tenant, 2))
    right = await client.post("/webhooks/mercadolibre/" + SECRET, json=note(tenant, 3))

    assert (bare.status, wrong.status, right.status) == (404, 404, 200)
    assert await rows(context) == [("pending", None)]


@pytest.mark.parametrize("served", [{"webhook_allowed_networks": ["10.0.0.0/8", "2001:db8::/32"]}], indirect=True)
async def test_sources_outside_the_allowed_networks_are_refused(served: tuple[Client, AppContext, Tenant]) -> None:
    client, context, tenant = served

    local = await client.post("/webhooks/mercadolibre", json=note(tenant, 1))
    spoofed = await client.post("/webhooks/mercadolibre", json=note(tenant, 2), headers={"X-Forwarded-For": "10.1.2.3"})

    assert (local.status, spoofed.status) == (403, 403)  # X-Forwarded-For counts only behind trusted proxies
    assert await local.json() == {"error": "source not allowed"}
    assert await rows(context) == []


@pytest.mark.parametrize("served", [{"webhook_allowed_networks": ["10.0.0.0/8"], "trusted_proxies": 1}], indirect=True)
async def test_behind_a_trusted_proxy_the_forwarded_address_decides(served: tuple[Client, AppContext, Tenant]) -> None:
    client, _, tenant = served
    via = {"X-Forwarded-For": "10.9.9.9, 192.0.2.7"}  # the client made up the first hop; our proxy added the last

    refused = await client.post("/webhooks/mercadolibre", json=note(tenant, 1), headers=via)
    allowed = await client.post("/webhooks/mercadolibre", json=note(tenant, 2), headers={"X-Forwarded-For": "10.1.2.3"})

    assert (refused.status, allowed.status) == (403, 200)


@pytest.mark.parametrize("served", [{"webhook_seller_burst": 5, "webhook_seller_rate": 0.01}], indirect=True)
async def test_notifications_over_the_sellers_intake_budget_are_throttled_for_the_catchup(
    served: tuple[Client, AppContext, Tenant],
) -> None:
    client, context, tenant = served

    answers = [await (await client.post("/webhooks/mercadolibre", json=note(tenant, n))).json() for n in range(8)]
    await client.app[INTAKE].jobs.close()
    slot = catchup_slot(context.settings.catchup_interval_seconds)
    queued = [catchup_job_id(context.settings.queue_name, tenant.account_id, n) for n in (slot - 1, slot, slot + 1)]

    assert Counter(answer["status"] for answer in answers) == {"pending": 5, "throttled": 3}
    assert [status for status, _ in await rows(context)] == ["pending"] * 5 + ["throttled"] * 3
    assert {reason for _, reason in await rows(context)} == {None, OVER_BUDGET}
    assert await context.redis.exists(*(job_key_prefix + job_id for job_id in queued)) >= 1


@pytest.mark.parametrize("served", [{"inbox_max_pending_per_seller": 4, "webhook_seller_burst": 100}], indirect=True)
async def test_a_sellers_pending_rows_are_bounded(served: tuple[Client, AppContext, Tenant]) -> None:
    client, context, tenant = served

    for n in range(7):
        assert (await client.post("/webhooks/mercadolibre", json=note(tenant, n))).status == 200

    assert await rows(context) == [("pending", None)] * 4 + [("throttled", TOO_MANY_PENDING)] * 3


@dataclass(frozen=True)
class Seller:
    id: int
    pending: int


def test_the_gate_lets_a_burst_through_then_keeps_the_rate() -> None:
    gate = IntakeGate(rate=0.001, burst=2, max_pending=10)
    full = IntakeGate(rate=1000.0, burst=100, max_pending=3)

    assert [gate.admit(Seller(7, 0)) for _ in range(3)] == [None, None, OVER_BUDGET]
    assert gate.admit(Seller(8, 0)) is None  # another seller has its own budget
    assert full.admit(Seller(7, 2)) is None
    assert full.admit(Seller(7, 3)) == TOO_MANY_PENDING


async def test_ml_failing_costs_a_forged_notification_at_most_the_attempt_budget(settings: Settings) -> None:
    """Client retries (5) and job tries used to multiply: 40 calls per forged id while ML answers 5xx."""
    config = SandboxConfig(seed=5, sellers=1, orders=0)
    async with offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        await world.connect(seller["id"], seller["site_id"])
        await world.control("PUT", "/_sandbox/faults", {"fault_5xx": 1.0})
        note_ = {"topic": "orders_v2", "resource": "/orders/3999000000000001", "user_id": seller["id"],
                 "application_id": 1234567890123456}  # fmt: skip
        async with world.http.post(f"{world.web_url}/webhooks/mercadolibre", json=note_) as response:
            assert response.status == 200
        await world.run_worker()
        calls = await world.control("GET", "/_sandbox/requests?path_prefix=/orders/3999000000000001")
        (row,) = await rows(world.context)

    assert calls["total"] == world.settings.inbox_attempt_budget == 10
    assert row[0] == "failed"
    assert row[1] is not None and row[1].startswith("gave up after 2 tries, 10 failed calls: ")
