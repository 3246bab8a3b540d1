"""The public port tells an outsider nothing about our insides, and cannot be made to run database aggregates.

/healthz, public on the webhook port, used to name the database host, user and database when it was down, and
/metrics ran inbox aggregates on every unauthenticated request. Now /healthz says ok or failing; the details,
/metrics and /openapi.json answer on the internal listener (or to the internal token) and 404 elsewhere; and
/metrics reads the aggregates at most every 15 s however often it is scraped.
"""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import event

from tests.attacks.conftest import Client
from worker.context import AppContext, app_context
from worker.settings import Settings
from worker.web.app import create_app

INTERNAL = ("/healthz/details", "/metrics", "/openapi.json")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_health_of_a_dead_database_names_nothing(settings: Settings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://billing_admin@db-primary.internal:1/ledger"}
    )
    async with app_context(down) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            response = await client.get("/healthz")
            body = await response.text()

    assert (response.status, body) == (503, '{"status": "failing"}')


async def test_internal_routes_answer_only_on_the_internal_listener(settings: Settings) -> None:
    public, internal = free_port(), free_port()
    two_ports = settings.model_copy(update={"internal_port": internal})
    async with app_context(two_ports) as context:
        runner = web.AppRunner(create_app(context), access_log=None)
        await runner.setup()
        for port in (public, internal):
            await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with aiohttp.ClientSession() as http:
                seen = {}
                for port in (public, internal):
                    for path in INTERNAL:
                        async with http.get(f"http://127.0.0.1:{port}{path}") as response:
                            seen[(port, path)] = response.status
        finally:
            await runner.cleanup()

    assert seen == {(public, path): 404 for path in INTERNAL} | {(internal, path): 200 for path in INTERNAL}


async def test_the_internal_token_opens_them_on_the_public_port(settings: Settings) -> None:
    token = settings.model_copy(update={"internal_token": SecretStr("t0ken-for-the-scraper")})
    async with app_context(token) as context:
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            right = [
                (await client.get(p, headers={"Authorization": "Bearer t0ken-for-the-scraper"})).status
                for p in INTERNAL
            ]
            wrong = [
                (await client.get(p, headers={"Authorization": "Bearer t0ken-for-the-scrapeR"})).status
                for p in INTERNAL
            ]

    assert (right, wrong) == ([200] * 3, [404] * 3)


async def test_scraping_metrics_runs_the_inbox_and_delivery_aggregates_at_most_every_15_seconds(
    settings: Settings,
) -> None:
    token = settings.model_copy(update={"internal_token": SecretStr("scrape")})
    async with app_context(token) as context:
        aggregates: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if "GROUP BY" in statement.upper() or "min(" in statement:
                aggregates.append(statement)

        event.listen(context.db.engine.sync_engine, "before_cursor_execute", seen)
        async with TestClient(TestServer(create_app(context), host="127.0.0.1")) as client:
            statuses = [
                (await client.get("/metrics", headers={"Authorization": "Bearer scrape"})).status for _ in range(20)
            ]

    assert statuses == [200] * 20
    # the inbox's count by status and oldest-pending age, the open deliveries and the open outbound webhook
    # messages by business: once for all 20 scrapes
    assert len(aggregates) == 4


async def test_public_answers_are_the_same_without_the_token(client: Client, context: AppContext) -> None:
    answers = [(await client.get(path)).status for path in INTERNAL]

    assert answers == [404, 404, 404]
