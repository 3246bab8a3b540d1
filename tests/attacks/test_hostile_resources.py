"""Resources that try to leave the ML API are refused before anything is fetched.

At the webhook: every processed topic with every hostile resource is answered 400, nothing is recorded or
queued, and a deny-all server that the resources point at sees no connection. In the client: every endpoint
method refuses a non-numeric id before sending anything (the deny-all server stands in for the ML API there,
and a numeric id shows it does see connections).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from connectors.errors import PermanentError, RemoteNotFound
from connectors.http import RetryPolicy
from connectors.mercadolibre.client import MlClient, Seller
from tests.attacks.conftest import Client
from tests.attacks.support import DenyAll, hostile_ids, hostile_resources, processed_topics
from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.store.inbox import count_by_status


def notification(tenant: Tenant, context: AppContext, topic: str, resource: str) -> dict[str, Any]:
    return {
        "_id": "6560d1a2f3b4c5d6e7f80911",
        "topic": topic,
        "resource": resource,
        "user_id": tenant.seller_id,
        "application_id": int(context.settings.ml_client_id),
        "attempts": 1,
        "sent": "2026-11-20T14:05:33.412Z",
    }


async def test_hostile_resources_get_400_and_nothing_is_recorded_queued_or_fetched(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    answers: Counter[tuple[int, str]] = Counter()
    sent = 0
    async with DenyAll() as evil:
        for topic, canonical in processed_topics():
            for resource in hostile_resources(canonical, evil.host):
                body = json.dumps(notification(tenants[0], context, topic, resource))
                response = await client.post("/webhooks/mercadolibre", data=body)
                reason = (await response.json())["error"]
                answers[(response.status, reason.split(" for topic ")[0])] += 1
                sent += 1
        await context.redis.ping()  # everything the app does on the webhook path is done by now

    assert sent > 7 * 40
    assert answers == Counter({(400, "resource: must look like " + canonical): n for canonical, n in _per_shape()})
    assert await count_by_status(context.db) == {}
    assert await context.redis.zcard(context.settings.queue_name) == 0
    assert evil.connections == []


def _per_shape() -> list[tuple[str, int]]:
    shapes = Counter(canonical for _, canonical in processed_topics())
    per_topic = len(hostile_resources("/x/{id}", "127.0.0.1:1"))
    return [(canonical, topics * per_topic) for canonical, topics in shapes.items()]


class Tokens:
    async def access_token(self, account_id: int) -> str:
        return "APP_USR-attack"

    async def refresh_after_rejection(self, account_id: int, rejected: str) -> str:
        return "APP_USR-attack"


Endpoint = Callable[[MlClient, Seller, str], Awaitable[Any]]
ENDPOINTS: dict[str, Endpoint] = {
    "order": lambda c, s, i: c.order(s, i),
    "marketplace_order": lambda c, s, i: c.marketplace_order(s, i),
    "shipment": lambda c, s, i: c.shipment(s, i),
    "shipment_history": lambda c, s, i: c.shipment_history(s, i),
    "shipment_items": lambda c, s, i: c.shipment_items(s, i),
    "payment": lambda c, s, i: c.payment(s, i),
    "claim": lambda c, s, i: c.claim(s, i),
    "claims_of_order": lambda c, s, i: c.claims_of_order(s, i),
    "missed_feeds": lambda c, s, i: c.missed_feeds(s, i),
}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_the_client_refuses_non_numeric_ids_before_sending_anything(endpoint: str) -> None:
    call, seller = ENDPOINTS[endpoint], Seller(account_id=1, seller_id=700000001)
    async with DenyAll() as api, aiohttp.ClientSession() as http:
        base = f"http://{api.host}"
        client = MlClient(http, base, Tokens(), policy=RetryPolicy(attempts=1), payments_base_url=base)
        refused = 0
        for bad in [*hostile_ids(api.host), f"http://{api.host}/x", f"//{api.host}/x", "../users/me"]:
            with pytest.raises(PermanentError, match="must be a numeric id"):
                await call(client, seller, bad)
            refused += 1
        assert (refused, api.connections, client.calls) == (len(hostile_ids(api.host)) + 3, [], 0)

        with pytest.raises(RemoteNotFound):  # the control: a numeric id does reach the server
            await call(client, seller, "2000009876543210")
        assert len(api.connections) == 1
        assert api.connections[0].startswith(b"GET /")
