"""`meli demo`: the product offline. Sandbox + web + worker in one process, a fresh SQLite database, the
machine's Redis or an embedded one."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import click
from redis.asyncio import Redis
from redis.exceptions import RedisError

from worker.cli.common import CliState, guarded, run
from worker.demo.handoff import clean_queue
from worker.demo.run import DemoOptions, play
from worker.demo.services import ensure_redis
from worker.logs import configure_logging
from worker.settings import Settings
from worker.store.db import open_database
from worker.store.migrate import upgrade

pass_state = click.make_pass_decorator(CliState)
FAULTS = {"fault_5xx": 0.05, "fault_429": 0.02, "fault_related": 0.05, "duplicate_rate": 0.1, "reorder_rate": 0.1}
# The fake Hellotext's faults: 5 % of writes kept but their answer lost (after commit). Not refusals before
# commit: a refund refused that way goes to review unsent (by design), so Hellotext could not equal the store.
HELLOTEXT_FAULTS = {"rate_lost": 0.05}


async def _fresh_database(url: str) -> None:
    db = open_database(url)
    try:
        await upgrade(db)
    finally:
        await db.close()


async def _run(settings: Settings, options: DemoOptions, database: Path, queue: str) -> int:
    for leftover in database.parent.glob(database.name + "*"):
        leftover.unlink()
    settings = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{database}"})
    await _fresh_database(settings.database_url)
    async with ensure_redis(settings.redis_url) as (redis_url, how):
        # The sandbox grants far more than ML's default budget; use it so a demo of hundreds of orders is quick.
        budget = {
            "ml_app_rate": max(settings.ml_app_rate, 1000.0),
            "ml_seller_rate": max(settings.ml_seller_rate, 500.0),
        }
        # The sandbox's documents that failed (its faults) are fetched again within seconds, not minutes.
        pace = {"refetch_first_pause_seconds": min(settings.refetch_first_pause_seconds, 2.0)}
        settings = settings.model_copy(
            update={"redis_url": redis_url, "queue_name": queue, "worker_metrics_port": 0} | budget | pace
        )
        return await play(settings, options, how)


async def _clean(redis_url: str, queue: str) -> None:
    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await clean_queue(client, queue)
    except (RedisError, OSError):
        pass  # Redis is gone: nothing of ours is left to clean
    finally:
        await client.aclose()


@click.command()
@click.option("--orders", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Orders per seller.")
@click.option("--sellers", type=click.IntRange(1, 20), default=1, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True, help="Sandbox scenario seed.")
@click.option("--rate", type=float, default=5.0, show_default=True, help="Sandbox transitions per second.")
@click.option(
    "--faults/--no-faults",
    default=False,
    help="Sandbox faults: 5 % 5xx, 2 % 429, duplicated and reordered notifications; and Hellotext faults: "
    "5 % of writes kept but their answer lost.",
)
@click.option("--exit-when-done", is_flag=True, help="Play the scenario, compare with the oracle, exit 0 on a match.")
@click.option("--port", type=click.IntRange(1, 65535), help="Web port (default: MELI_WEB_PORT).")
@click.option("--sandbox-port", type=click.IntRange(1, 65535), default=8099, show_default=True)
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path), default=Path("meli-demo.db"),
              show_default=True, help="SQLite file, recreated on every run.")  # fmt: skip
@pass_state
def demo(
    state: CliState,
    orders: int,
    sellers: int,
    seed: int,
    rate: float,
    faults: bool,
    exit_when_done: bool,
    port: int | None,
    sandbox_port: int,
    database: Path,
) -> None:
    """Run the product offline: sandbox + web + worker, a demo seller connected, activity flowing, events shown."""
    settings = guarded(lambda: state.settings(**({"web_port": port} if port else {})))
    configure_logging("warning", "console")  # the demo's own output is the show; problems still print
    options = DemoOptions(
        orders=orders, sellers=sellers, seed=seed, rate=rate, sandbox_port=sandbox_port,
        exit_when_done=exit_when_done, faults=FAULTS if faults else {},
        hellotext_faults=HELLOTEXT_FAULTS if faults else {},
    )  # fmt: skip
    queue = f"meli:demo:{uuid.uuid4().hex[:8]}"
    try:
        code = run(lambda: _run(settings, options, database.resolve(), queue))
    finally:  # also after Ctrl-C, once every task of the demo has stopped: its queue and keys go with it
        asyncio.run(_clean(settings.redis_url, queue))
    raise SystemExit(code)


COMMANDS: tuple[click.Command, ...] = (demo,)
