"""`meli demo`: migrate, make sure Redis is there, serve, and say in one line what runs where."""

from __future__ import annotations

import asyncio

import aiohttp
import click

from worker.cli.common import CliState, guarded, run
from worker.cli.run_cmds import serve_until_stopped
from worker.demo.services import ensure_redis
from worker.settings import Settings
from worker.store.db import mask_url, open_database
from worker.store.migrate import upgrade

pass_state = click.make_pass_decorator(CliState)


async def _migrate(settings: Settings) -> None:
    db = open_database(settings.database_url)
    try:
        await upgrade(db)
    finally:
        await db.close()


async def _health(settings: Settings) -> str:
    url = f"http://{settings.web_host}:{settings.web_port}/healthz"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.get(url) as response:
            body = await response.json()
    return f"{response.status} {body['status']}"


async def run_demo(settings: Settings, exit_after: float | None) -> None:
    await _migrate(settings)
    async with ensure_redis(settings.redis_url) as (redis_url, how):
        settings = settings.model_copy(update={"redis_url": redis_url})
        stop = asyncio.Event()
        server = asyncio.create_task(serve_until_stopped(settings, stop))
        await asyncio.sleep(0.3)
        if server.done():
            await server  # surfaces the start-up error
        health = await _health(settings)
        click.echo(
            f"meli demo: web http://{settings.web_host}:{settings.web_port} (/healthz {health}), "
            f"database {mask_url(settings.database_url)}, redis {redis_url} ({how}). Ctrl-C stops."
        )
        if exit_after is not None:
            await asyncio.sleep(exit_after)
            stop.set()
        await server


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Web port (default: MELI_WEB_PORT).")
@click.option("--exit-after", type=float, help="Stop after this many seconds (for scripted runs).")
@pass_state
def demo(state: CliState, port: int | None, exit_after: float | None) -> None:
    """Run the product offline: migrate the database, start Redis if none answers, serve the web app."""
    settings = guarded(lambda: state.settings(**({"web_port": port} if port else {})))
    run(lambda: run_demo(settings, exit_after))


COMMANDS: tuple[click.Command, ...] = (demo,)
