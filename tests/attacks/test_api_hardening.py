"""API keys cannot be guessed at speed, and answers reveal no versions and are never cached or sniffed.

Wrong keys used to be unthrottled, `Server` named Python's and aiohttp's versions, and API answers had no
`Cache-Control: no-store`. Now a client address gets `MELI_API_AUTH_FAILURES_PER_MINUTE` (10) wrong keys a
minute; then every API request from it is 429 with Retry-After, without the key being looked at.
"""

from __future__ import annotations

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.context import AppContext


async def test_wrong_keys_from_one_address_are_throttled(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, _ = tenants
    wrong = [
        (await client.get("/api/v1/events", headers={"Authorization": f"Bearer mk_guess{n}"})).status for n in range(12)
    ]
    blocked = await client.get("/api/v1/events", headers=alfa.auth)
    body = await blocked.json()

    assert wrong == [401] * 10 + [429] * 2
    assert blocked.status == 429 and body["error"] == "too_many_requests"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60


async def test_answers_name_no_versions_and_are_not_cached(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, _ = tenants
    answers = {
        "api": await client.get("/api/v1/accounts", headers=alfa.auth),
        "api unauthorized": await client.get("/api/v1/accounts"),
        "webhook": await client.post("/webhooks/mercadolibre", data=b"{"),
        "health": await client.get("/healthz"),
        "no route": await client.get("/nothing-here"),
        "page": await client.get("/connect"),
    }

    assert {name: answer.headers["Server"] for name, answer in answers.items()} == dict.fromkeys(answers, "meli-events")
    assert {name: answer.headers["Cache-Control"] for name, answer in answers.items()} == dict.fromkeys(
        answers, "no-store"
    )
    assert {name: answer.headers["X-Content-Type-Options"] for name, answer in answers.items()} == dict.fromkeys(
        answers, "nosniff"
    )
    assert [answer.status for answer in answers.values()] == [200, 401, 400, 200, 404, 400]
