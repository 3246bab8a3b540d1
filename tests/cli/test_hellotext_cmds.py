"""`meli business hellotext` and `meli deliveries` as a person runs them, against the fake Hellotext."""

from __future__ import annotations

import json
from pathlib import Path

from tests.harness.cli import meli as run
from tests.hellotext.conftest import TOKEN, FakeHellotext, fake_hellotext  # noqa: F401


async def meli(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    ran = await run(*args, env=env, stdin=stdin)
    return ran.returncode, ran.stdout, ran.stderr


async def test_a_token_is_checked_then_saved_and_deliveries_listed(
    tmp_path: Path,
    fake_hellotext: FakeHellotext,  # noqa: F811
) -> None:
    env = {"MELI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
           "MELI_HELLOTEXT_API_BASE_URL": fake_hellotext.url}  # fmt: skip
    assert (await meli(env, "migrate"))[0] == 0
    assert (await meli(env, "business", "create", "Tienda Uno", "--country", "CO"))[0] == 0

    unknown = await meli(env, "business", "hellotext", "--business", "7", stdin=TOKEN + "\n")
    assert unknown == (1, "", "error: no business 7 (meli business create makes one)\n")
    refused = await meli(env, "business", "hellotext", "--business", "1", stdin="ht_wrong\n")
    assert refused == (1, "", "error: token: Hellotext refused this token (401): missing, invalid or revoked\n")
    code, out, _ = await meli(env, "business", "hellotext", "--business", "1", "--history", "30", stdin=TOKEN + "\n")
    saved = json.loads(out)
    assert (code, saved["business_id"], saved["status"], saved["history_days"]) == (0, 1, "active", 30)
    assert TOKEN not in out

    code, out, _ = await meli(env, "business", "hellotext", "--business", "1", "--keep-token", "--pause")
    assert (code, json.loads(out)["paused"]) == (0, True)
    assert await meli(env, "deliveries", "--business", "1", "--status", "review") == (0, "", "\n")
    missing = await meli(env, "deliveries", "--business", "1", "--retry", "9")
    assert missing == (1, "", "error: no delivery 9 of business 1 to retry (not delivered)\n")
