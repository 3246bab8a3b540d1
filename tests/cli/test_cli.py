"""The `meli` command as a person runs it: a real process, real exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.events import Subscriber
from tests.harness.cli import run_meli as meli
from tests.harness.shop import Shop, record
from worker.cli import cli
from worker.store.db import open_database
from worker.store.events import append_events
from worker.store.profiles import upsert_subscriber


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"MELI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


async def test_migrate_create_business_and_read_events(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    migrated = meli("migrate", env=sqlite_env, cwd=tmp_path)
    created = meli("business", "create", "Tienda Uno", "--country", "co", env=sqlite_env, cwd=tmp_path)
    lines = created.stdout.splitlines()

    assert (migrated.returncode, migrated.stdout) == (
        0,
        f"database {sqlite_env['MELI_DATABASE_URL']} is at revision 0013_webhooks\n",
    )
    assert created.returncode == 0 and lines[0] == "business_id: 1"
    assert lines[1].startswith("api_key: mk_") and len(lines[1]) == len("api_key: mk_") + 43

    db = open_database(sqlite_env["MELI_DATABASE_URL"])

    subscriber = await upsert_subscriber(db, 1, Subscriber("77", "mercadolibre"))
    await append_events(db, 1, [record(Shop(1, subscriber), f"k{n}") for n in range(3)])
    await db.close()

    listed = meli("events", "--business", "1", "--after", "1", "--limit", "1", env=sqlite_env, cwd=tmp_path)
    event = json.loads(listed.stdout)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1
    assert {k: event[k] for k in ("id", "action", "dedupe_key", "tracked_at", "amount")} == {
        "id": 2,
        "action": "order.confirmed",
        "dedupe_key": "k1",
        "tracked_at": "2026-11-20T14:02:13.500Z",
        "amount": "15999.00",
    }


def test_unreachable_database_is_one_line_with_masked_password(tmp_path: Path) -> None:
    env = {"MELI_DATABASE_URL": "postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/nowhere"}

    result = meli("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: cannot reach database postgresql+asyncpg://postgres:***@127.0.0.1:1/nowhere:"
    )
    assert len(result.stderr.splitlines()) == 1 and "hunter2" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("business", "create", "X", "--country", "COL"),
            1,
            "error: country: 'COL' is not a two-letter country code",
        ),
        (
            ("business", "create", "X", "--country", "ZZ"),
            1,
            "error: country: 'ZZ' has no Mercado Libre site; use one of AR, BR, CL, CO, EC, MX, PE, UY, VE\n",
        ),
        (("events", "--business", "999"), 1, "error: no business 999 (`meli business create` prints the ids)\n"),
        (
            ("explain", "abc"),
            2,
            "Error: Invalid value for 'ORDER_ID': 'abc' is not an order number: give the Mercado Libre order id in "
            "digits, e.g. 2000001234\n",
        ),
        (("business", "create"), 2, "Error: Missing argument 'NAME'."),
        (("events", "--limit", "0"), 2, "Error: Invalid value for '--limit'"),
        (("teleport",), 2, "Error: No such command 'teleport'."),
    ],
)
def test_usage_and_input_errors(
    sqlite_env: dict[str, str], tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    meli("migrate", env=sqlite_env, cwd=tmp_path)

    result = meli(*args, env=sqlite_env, cwd=tmp_path)

    assert result.returncode == code
    assert message in result.stderr


def test_production_refuses_placeholders_and_sqlite(tmp_path: Path) -> None:
    result = meli("migrate", env={"MELI_ENVIRONMENT": "production"}, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr == (
        "error: refusing to start in production: MELI_ML_CLIENT_ID is the sample id; "
        "MELI_ML_CLIENT_SECRET is the placeholder; "
        "MELI_SECRET_KEY is the placeholder; MELI_TOKEN_ENCRYPTION_KEYS contains the placeholder key; "
        "MELI_PUBLIC_BASE_URL is not an https URL; MELI_ML_REDIRECT_URI is not an https URL; "
        "MELI_DATABASE_URL points at SQLite; production needs PostgreSQL\n"
    )


def test_help_lists_whole_summaries_within_80_columns() -> None:
    result = CliRunner().invoke(cli, ["--help"], prog_name="meli", terminal_width=80)
    listed = result.output.split("Commands:\n")[1]

    assert result.exit_code == 0 and "..." not in listed
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert (
        "  explain       Print an order's whole story: notifications received, documents\n"
        "                fetched, events stored with the rule behind each, and why an\n"
        "                expected event is absent.\n"
    ) in listed


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"], prog_name="meli")

    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: meli {name}")
    assert (cli.commands[name].help or "").strip()


def test_demo_plays_a_scenario_and_matches_the_oracle(tmp_path: Path) -> None:
    from worker.demo.services import free_port

    web_port, sandbox_port, internal_port = free_port(), free_port(), free_port()
    args = ["--orders", "4", "--rate", "1000", "--exit-when-done", "--port", str(web_port)]
    env = {"MELI_REDIS_URL": "redis://127.0.0.1:6379/0", "MELI_INTERNAL_PORT": str(internal_port)}

    result = meli("demo", *args, "--sandbox-port", str(sandbox_port), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    queue = lines[0].split("queue ")[1].split(")")[0]
    assert lines[0] == (
        f"meli demo: web http://127.0.0.1:{web_port} (/healthz), metrics http://127.0.0.1:{internal_port}/metrics, "
        f"sandbox http://127.0.0.1:{sandbox_port} (/_sandbox), redis redis://127.0.0.1:6379/0 (reused, queue {queue}), "
        f"database sqlite+aiosqlite:///{tmp_path}/meli-demo.db"
    )
    assert "result: exact match" in lines
    assert lines[-1] == "hellotext: exact match"


async def test_events_follow_prints_events_as_they_are_stored(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    import asyncio

    assert meli("migrate", env=sqlite_env, cwd=tmp_path).returncode == 0
    db = open_database(sqlite_env["MELI_DATABASE_URL"])
    from worker.store.businesses import create_business

    business, _ = await create_business(db, "Tienda", "CO")
    assert business.id is not None
    subscriber = await upsert_subscriber(db, business.id, Subscriber("77", "mercadolibre"))
    shop = Shop(business.id, subscriber)
    base = {k: v for k, v in os.environ.items() if not k.startswith("MELI_")}
    follower = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "worker", "events", "--follow", env=base | sqlite_env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await append_events(db, business.id, [record(shop, "first")])
        first = await asyncio.wait_for(follower.stdout.readline(), 20)  # type: ignore[union-attr]
        await append_events(db, business.id, [record(shop, "second")])
        second = await asyncio.wait_for(follower.stdout.readline(), 20)  # type: ignore[union-attr]
    finally:
        follower.terminate()
        await follower.wait()
        await db.close()

    assert [json.loads(line)["dedupe_key"] for line in (first, second)] == ["first", "second"]


def test_a_missing_or_unmigrated_database_says_run_migrate_and_creates_no_file(tmp_path: Path) -> None:
    missing = meli("events", cwd=tmp_path)
    (tmp_path / "empty.db").touch()
    empty = meli("events", env={"MELI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"}, cwd=tmp_path)

    assert (missing.returncode, missing.stderr) == (
        1,
        "error: no database at ./meli.db: run `meli migrate` to create it, or set MELI_DATABASE_URL "
        "(`meli demo` prints the one it uses)\n",
    )
    assert (empty.returncode, empty.stderr) == (
        1,
        f"error: database sqlite+aiosqlite:///{tmp_path / 'empty.db'} has no tables yet: run `meli migrate` first\n",
    )
    assert sorted(os.listdir(tmp_path)) == ["empty.db"]
