"""During the demo, /metrics (on the internal listener, as with `meli serve`) carries the worker's metrics too:
web and worker run in one process and count into one registry."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from redis.asyncio import Redis

from sandboxes.mercadolibre import SandboxConfig
from tests.conftest import REDIS_URL
from worker.demo.handoff import clean_queue
from worker.demo.services import free_port
from worker.demo.world import demo_world
from worker.settings import Settings
from worker.store.db import open_database
from worker.store.migrate import upgrade

STORED = re.compile(r"^meli_events_stored_total\{[^}]*\} ([0-9.]+)$", re.M)


async def test_demo_metrics_show_the_workers_events_and_ml_calls(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    db = open_database(url)
    await upgrade(db)
    await db.close()
    settings = settings.model_copy(update={"database_url": url, "web_port": free_port(), "internal_port": free_port()})
    config = SandboxConfig(seed=7, sellers=1, orders=3, notify_time_scale=0.01)
    text = ""
    try:
        async with demo_world(settings, config, free_port()) as world:
            seller = (await world.control("GET", "/_sandbox/sellers"))["sellers"][0]
            await world.connect_seller(seller)
            await world.control("PUT", "/_sandbox/driver", {"rate": 1000})
            for _ in range(300):
                async with world.http.get(f"{world.internal_url}/metrics") as response:
                    text = await response.text()
                if sum(float(count) for count in STORED.findall(text)) > 0:
                    break
                await asyncio.sleep(0.2)
    finally:
        redis = Redis.from_url(REDIS_URL)
        await clean_queue(redis, settings.queue_name)
        await redis.aclose()

    assert world.internal_url == f"http://127.0.0.1:{settings.internal_port}"
    assert sum(float(count) for count in STORED.findall(text)) > 0, text  # counted by the worker's jobs
    assert re.search(r"^meli_ml_requests_total\{.*\} [1-9]", text, re.M), text
    assert re.search(r"^meli_webhook_notifications_total\{", text, re.M)  # and the web's own
