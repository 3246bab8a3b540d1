"""End to end: with forged notifications in the mix, the worker only ever calls the configured ML API.

A small sandbox scenario runs through the real pipeline (sandbox → webhook → inbox → burst arq worker → ML
API). Meanwhile a forger posts notifications whose resources point at a deny-all server: processed topics
are refused with 400, other topics are recorded as ignored. Afterwards every request in the sandbox's request
log has one of the ML API path shapes the client builds (and no URL in its query), the deny-all server saw no
connection, and the store still equals the oracle.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

from sandboxes.mercadolibre import SandboxConfig
from tests.attacks.support import DenyAll, hostile_resources, processed_topics
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.settings import Settings
from worker.store.inbox import count_by_status

API_SHAPES = [
    re.compile(shape, re.ASCII)
    for shape in (
        r"/oauth/token",
        r"/users/me",
        r"/users/[0-9]+",
        r"/orders/search",
        r"/orders/[0-9]+",
        r"/shipments/[0-9]+(/history|/items)?",
        r"/v1/payments/[0-9]+",  # Mercado Pago's API (the sandbox serves both hosts)
        r"/marketplace/orders/[0-9]+",
        r"/post-purchase/v1/claims/search",
        r"/post-purchase/v1/claims/[0-9]+",
        r"/missed_feeds",
    )
]


async def forge(world: World, seller_id: int, evil: str) -> Counter[tuple[str, int]]:
    """Post hostile notifications for the connected seller; (processed topic or not, status) → count."""
    answers: Counter[tuple[str, int]] = Counter()
    bodies = [
        (topic, resource) for topic, canonical in processed_topics() for resource in hostile_resources(canonical, evil)
    ]
    bodies += [(topic, f"http://{evil}/orders/1") for topic in ("questions", "items", "messages", "invoices")]
    for topic, resource in bodies:
        note = {"topic": topic, "resource": resource, "user_id": seller_id, "application_id": 1234567890123456}
        async with world.http.post(f"{world.web_url}/webhooks/mercadolibre", json=note) as response:
            answers[("processed" if topic in dict(processed_topics()) else "other", response.status)] += 1
    return answers


async def test_the_worker_only_calls_ml_api_paths_and_never_a_forged_host(settings: Settings) -> None:
    config = SandboxConfig(seed=23, sellers=1, orders=8, notify_time_scale=0.001)
    async with DenyAll() as evil, offline_world(settings, config) as world:
        (seller,) = await world.sellers()
        business_id, _ = await world.connect(seller["id"], seller["site_id"])
        await world.control("POST", "/_sandbox/advance", {"steps": "all"})
        answers = await forge(world, seller["id"], evil.host)
        await world.deliveries_settled()
        await world.run_worker()

        log = (await world.control("GET", "/_sandbox/requests"))["requests"]
        calls = [entry for entry in log if not entry["path"].startswith("/_sandbox")]
        stored, expected = await world.stored(business_id), oracle_view(await world.expected(seller["id"]))
        inbox = await count_by_status(world.context.db)

    hostile = sum(len(hostile_resources(canonical, evil.host)) for _, canonical in processed_topics())
    assert answers == Counter({("processed", 400): hostile, ("other", 200): 4})
    assert evil.connections == []
    assert [c["path"] for c in calls if not any(shape.fullmatch(c["path"]) for shape in API_SHAPES)] == []
    assert [c["query"] for c in calls if evil.host in unquote(c["query"]) or "//" in unquote(c["query"])] == []
    assert Counter(c["path"].split("/")[1] for c in calls)["orders"] >= 8
    assert stored == expected
    assert inbox.get("ignored") == 4
