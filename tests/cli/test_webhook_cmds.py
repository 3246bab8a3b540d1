"""`meli business webhook` as a person runs it: add (the secret printed once), list, resume, remove."""

from __future__ import annotations

import json
from pathlib import Path

from tests.harness.cli import meli as run


async def meli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    ran = await run(*args, env=env)
    return ran.returncode, ran.stdout, ran.stderr


async def test_an_endpoint_is_added_listed_and_removed(tmp_path: Path) -> None:
    env = {"MELI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    assert (await meli(env, "migrate"))[0] == 0
    assert (await meli(env, "business", "create", "Tienda Uno", "--country", "CO"))[0] == 0

    unknown = await meli(env, "business", "webhook", "--business", "7")
    assert unknown == (1, "", "error: no business 7 (meli business create makes one)\n")
    refused = await meli(env, "business", "webhook", "--business", "1", "--add", "https://127.0.0.1/hook")
    assert refused == (1, "", "error: url: resolves to a loopback, private or link-local address\n")

    local = env | {"MELI_OUTBOUND_WEBHOOKS_ALLOW_LOCAL": "true"}
    code, out, _ = await meli(local, "business", "webhook", "--business", "1", "--add", "http://127.0.0.1:9/hook")
    made = json.loads(out)
    assert (code, made["id"], made["url"], made["status"]) == (0, 1, "http://127.0.0.1:9/hook", "active")
    assert made["secret"].startswith("whsec_")

    code, out, _ = await meli(env, "business", "webhook", "--business", "1")
    assert (code, [json.loads(line)["id"] for line in out.splitlines()]) == (0, [1])
    assert made["secret"] not in out
    assert await meli(env, "business", "webhook", "--business", "1", "--resume", "1") == (
        0, '{"id":1,"done":"resumed","messages_due":0}\n', ""
    )  # fmt: skip
    assert await meli(env, "business", "webhook", "--business", "1", "--remove", "1") == (
        0, '{"id":1,"done":"removed"}\n', ""
    )  # fmt: skip
    assert await meli(env, "business", "webhook", "--business", "1", "--remove", "1") == (
        1, "", "error: no endpoint 1 of business 1\n"
    )  # fmt: skip
