"""`meli backfill` as a person runs it: a real process against the sandbox, exit codes, one-line errors, a
progress bar, Ctrl-C and resume."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from sandboxes.mercadolibre import Faults, SandboxConfig
from tests.backfill.conftest import bulk_settings, runs_of, sandbox_start, started, wait_until
from tests.conftest import _truncate
from tests.harness.cli import clean_env
from tests.harness.cli import meli as run
from tests.pipeline.harness import World, offline_world, oracle_view
from worker.cli import cli
from worker.settings import Settings
from worker.store.accounts import TokenSet, disconnect_account, link_account
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import open_database

SELLER = 241530000


def environment(world: World) -> dict[str, str]:
    s = world.settings
    values = {
        "database_url": s.database_url, "redis_url": s.redis_url, "queue_name": s.queue_name,
        "ml_api_base_url": s.ml_api_base_url, "ml_auth_base_url": s.ml_auth_base_url or "",
        "mp_api_base_url": s.mp_api_base_url,
        "ml_app_rate": s.ml_app_rate, "ml_seller_rate": s.ml_seller_rate, "backfill_offset_cap": s.backfill_offset_cap,
        "backfill_seller_rate": s.backfill_seller_rate, "backfill_slice_seconds": s.backfill_slice_seconds,
        "log_level": "warning",
    }  # fmt: skip
    return clean_env({f"MELI_{key.upper()}": str(value) for key, value in values.items()})


async def start_meli(world: World, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "worker", *args, env=environment(world), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def meli(world: World, *args: str) -> tuple[int, str, str]:
    ran = await run(*args, env=environment(world))
    return ran.returncode, ran.stdout, ran.stderr


async def _disconnected_seller(settings: Settings) -> int:
    db = open_database(settings.database_url)
    cipher = TokenCipher([key.get_secret_value() for key in settings.token_encryption_keys])
    try:
        await _truncate(db)
        business, _ = await create_business(db, "Tienda", "CO")
        assert business.id is not None
        tokens = TokenSet("access", "refresh", datetime.now(UTC) + timedelta(hours=6))
        account = await link_account(
            db, cipher, business_id=business.id, seller_id=SELLER, site_id="MCO", nickname="S", tokens=tokens
        )
        assert account.id is not None
        await disconnect_account(db, account.id)
        return account.id
    finally:
        await db.close()


def test_bad_input_is_one_line_and_exit_2_or_1(settings: Settings) -> None:
    account_id = asyncio.run(_disconnected_seller(settings))
    env = {"MELI_DATABASE_URL": settings.database_url, "MELI_REDIS_URL": settings.redis_url}
    runner = CliRunner(env=env)

    def meli_here(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["backfill", *args], prog_name="meli")
        return result.exit_code, result.stdout, result.stderr

    bad_date = meli_here("--account", str(SELLER), "--since", "last tuesday")
    reversed_range = meli_here("--account", str(SELLER), "--since", "2026-02-01", "--until", "2026-01-01")

    assert bad_date[0] == 2
    assert "Error: Invalid value for '--since': 'last tuesday' is not an ISO 8601" in bad_date[2]
    assert reversed_range[0] == 2
    assert reversed_range[2].endswith(
        "\nError: --since 2026-02-01T00:00:00.000Z is not before --until 2026-01-01T00:00:00.000Z\n"
    )
    assert meli_here("--account", "999") == (
        1, "", "error: no account 999 (the number on the account page; use --seller for an ML id)\n"
    )  # fmt: skip
    assert meli_here("--seller", "999") == (1, "", "error: no connected account for seller 999\n")
    disconnected = f"error: account {account_id} (seller {SELLER}) is disconnected: connect it again first\n"
    assert meli_here("--account", str(account_id)) == (1, "", disconnected)
    assert meli_here("--seller", str(SELLER)) == (1, "", disconnected)
    assert meli_here("--account", str(SELLER)) == (1, "", disconnected)  # an ML seller id is still understood
    for both_or_neither in (("--account", "1", "--seller", str(SELLER)), ()):
        code, _, err = meli_here(*both_or_neither)
        assert code == 2
        assert "Error: give exactly one of --account N (the account number) or --seller SELLER_ID" in err


async def test_progress_bar_ctrl_c_and_resume_end_equal_to_the_oracle(settings: Settings) -> None:
    # 200 ms per ML call keeps the first import running for seconds, so Ctrl-C lands mid-way even on a fast
    # machine; the resumed import runs without the delay.
    config = SandboxConfig(
        seed=4, sellers=1, orders=0, historical_orders=100, history_days=100, start=sandbox_start(),
        search_offset_cap=100, faults=Faults(latency_ms=200),
    )  # fmt: skip
    async with offline_world(bulk_settings(settings, backfill_slice_seconds=0.5), config) as world:
        (seller,) = await world.sellers()
        business_id, account_id = await world.connect(seller["id"], seller["site_id"])

        first = await start_meli(world, "backfill", "--account", str(account_id))
        await wait_until(lambda: started(world, account_id))
        # Slower still from here on, so the rest of the import cannot finish before Ctrl-C even when this test's
        # loop (which also serves the sandbox) was slow to see the first page stored.
        await world.control("PUT", "/_sandbox/faults", {"latency_ms": 3000})
        first.send_signal(signal.SIGINT)
        _, interrupted = await asyncio.wait_for(first.communicate(), 30)
        await world.control("PUT", "/_sandbox/faults", {"latency_ms": 0})
        code, out, err = await meli(world, "backfill", "--seller", str(seller["id"]))

        assert first.returncode == 130
        assert interrupted.decode().splitlines()[-1] == "interrupted: progress is saved; run the same command to resume"
        (run,) = await runs_of(world.context.db, account_id)
        assert (code, run.phase, run.status, run.orders_failed) == (0, "manual", "done", 0)
        assert out == (
            f"backfill of account {account_id} (seller {seller['id']}) done: {run.orders_done} orders, 0 skipped, "
            f"{run.events_added} new events, {run.api_calls} API calls "
            f"({run.api_calls / run.orders_done:.2f} per order)\n"
        )
        assert "manual" in err and f"{run.orders_done}/{run.orders_done}" in err and "events" in err
        assert await world.stored(business_id) == oracle_view(await world.expected(seller["id"]))
