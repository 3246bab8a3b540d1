"""Faults of the fake Hellotext: refused requests change nothing; a lost answer hides work that was done."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandboxes.hellotext.conftest import AUTH

Client = TestClient[Any, Any]
PROFILE = {"first_name": "Ana"}


async def _profiles(client: Client) -> int:
    return len((await (await client.get("/_sandbox/oracle")).json())["Tienda Uno"]["profiles"])


async def test_scripted_429_and_500_refuse_without_doing_the_work(hellotext: Client) -> None:
    script = [{"fault": "429", "path": "/v1/profiles"}, {"fault": "500", "path": "/v1/profiles"}]
    await hellotext.put("/_sandbox/faults", json={"retry_after": 7, "script": script})
    limited = await hellotext.post("/v1/profiles", json=PROFILE, headers=AUTH)
    failed = await hellotext.post("/v1/profiles", json=PROFILE, headers=AUTH)
    assert (limited.status, limited.headers["Retry-After"], failed.status) == (429, "7", 500)
    assert await _profiles(hellotext) == 0
    assert (await hellotext.post("/v1/profiles", json=PROFILE, headers=AUTH)).status == 200
    assert await _profiles(hellotext) == 1


async def test_a_lost_answer_comes_back_as_a_proxy_error_after_the_work_was_kept(hellotext: Client) -> None:
    await hellotext.put("/_sandbox/faults", json={"script": [{"fault": "lost", "path": "/v1/profiles"}]})
    response = await hellotext.post("/v1/profiles", json=PROFILE, headers=AUTH)
    assert (response.status, response.content_type) == (504, "text/html")
    assert await _profiles(hellotext) == 1


async def test_rates_draw_from_a_seeded_rng(hellotext: Client) -> None:
    await hellotext.put("/_sandbox/faults", json={"rate_5xx": 1.0})
    statuses = {(await hellotext.get("/v1/profiles", headers=AUTH)).status for _ in range(3)}
    assert statuses == {500}
    await hellotext.put("/_sandbox/faults", json={})
    assert (await hellotext.get("/v1/profiles", headers=AUTH)).status == 200


async def test_a_revoked_token_gets_401(hellotext: Client) -> None:
    await hellotext.delete("/_sandbox/accounts/ht_private_token_1")
    assert (await hellotext.get("/v1/profiles", headers=AUTH)).status == 401
