"""Subcommands that run processes: serve (web), worker (arq), demo (everything, offline)."""

from __future__ import annotations

import asyncio
import gc

import click
from aiohttp import web

from worker.cli.common import CliState, guarded, loop_factory, run
from worker.context import app_context
from worker.errors import Unavailable
from worker.logs import get_logger
from worker.settings import Settings
from worker.web.app import create_app

pass_state = click.make_pass_decorator(CliState)
log = get_logger(__name__)


async def _internal_site(runner: web.AppRunner, settings: Settings) -> None:
    """The same app on the internal listener, where /healthz/details, /metrics and /openapi.json answer. Another
    web process on this host may hold the port: then this one runs without it, and says so."""
    if not settings.internal_port:
        return
    try:
        await web.TCPSite(runner, settings.internal_host, settings.internal_port).start()
    except OSError as exc:
        log.warning("web.internal.unavailable", port=settings.internal_port, error=exc.strerror)


async def serve_until_stopped(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the web app until cancelled (Ctrl-C) or until `stop` is set."""
    async with app_context(settings) as context:
        runner = web.AppRunner(create_app(context), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        except OSError as exc:
            await runner.cleanup()
            raise Unavailable(f"cannot listen on {settings.web_host}:{settings.web_port}: {exc.strerror}") from None
        await _internal_site(runner, settings)
        # What startup built (modules, app, settings) lives as long as the process: out of the cycle collector's
        # sight, its collections under load scan only request garbage (the webhook's latency gain is in
        # benchmarks/RESULTS.md).
        gc.freeze()
        click.echo(f"web: listening on http://{settings.web_host}:{settings.web_port} (health: /healthz)")
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            await runner.cleanup()


@click.command()
@click.option("--host", help="Interface to listen on (default: MELI_WEB_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on (default: MELI_WEB_PORT).")
@pass_state
def serve(state: CliState, host: str | None, port: int | None) -> None:
    """Run the web process: webhooks, connect pages, business API and /healthz."""
    overrides = {key: value for key, value in (("web_host", host), ("web_port", port)) if value}
    settings = guarded(lambda: state.settings(**overrides))
    run(lambda: serve_until_stopped(settings), loop=settings.event_loop)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Process what is queued, then exit.")
@pass_state
def worker_command(state: CliState, burst: bool) -> None:
    """Run the job worker (arq): notification and backfill jobs plus the scheduled jobs."""
    from worker.jobs.runtime import run_worker  # the worker's own composition root, loaded only here

    settings = guarded(state.settings)
    asyncio.set_event_loop(loop_factory(settings.event_loop)())
    guarded(lambda: run_worker(settings, burst=burst))


COMMANDS: tuple[click.Command, ...] = (serve, worker_command)
