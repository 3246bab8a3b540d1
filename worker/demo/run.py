"""`meli demo`: the whole product offline, with the sandbox generating marketplace activity.

Without `--exit-when-done` it runs until Ctrl-C, printing events as they arrive. With it, it plays the whole
scenario, waits until every notification is delivered and processed, compares the event store with the
sandbox oracle, and what the fake Hellotext recorded with the event store, and returns 0 only when both
match exactly.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sandboxes.hellotext.app import faults_from_json
from sandboxes.mercadolibre import SandboxConfig
from worker.context import hellotext_api
from worker.demo.compare import Comparison, compare, stored_events
from worker.demo.handoff import banner, describe
from worker.demo.hellotext import compare_delivered, connect_hellotext, wait_delivered
from worker.demo.progress import Progress, ProgressDisplay
from worker.demo.world import DemoWorld, demo_world
from worker.pipeline.queue import queued_work
from worker.settings import Settings
from worker.store.event_queries import count_events
from worker.store.events import read_events
from worker.store.inbox import count_by_status
from worker.store.models import InboxStatus
from worker.store.refetch import open_gaps


@dataclass
class DemoOptions:
    orders: int = 50
    sellers: int = 1
    seed: int = 7
    rate: float = 5.0
    sandbox_port: int = 8099
    exit_when_done: bool = False
    timeout: float = 600.0
    faults: dict[str, float] = field(default_factory=dict)
    hellotext_faults: dict[str, float] = field(default_factory=dict)  # fields of the fake Hellotext's Faults


async def _drained(world: DemoWorld) -> bool:
    sandbox = await world.control("GET", "/_sandbox/driver")
    deliveries = await world.control("GET", "/_sandbox/notifications?state=pending")
    inbox = await count_by_status(world.context.db)
    queued = await queued_work(world.context.redis)  # cron jobs waiting to be due are not work in flight
    gaps = await open_gaps(world.context.db)  # orders waiting for a document to be fetched again
    quiet = sandbox["pending_steps"] == 0 and deliveries["total"] == 0 and queued == 0
    return quiet and not inbox.get(InboxStatus.PENDING) and gaps == 0


async def _wait_until_drained(world: DemoWorld, display: ProgressDisplay, within: float) -> None:
    deadline = time.monotonic() + within
    stable = 0
    while stable < 3:  # three quiet checks in a row: nothing in flight anywhere
        if time.monotonic() > deadline:
            raise click.ClickException(f"the scenario did not finish within {within:.0f} s")
        stable = stable + 1 if await _drained(world) else 0
        driver = await world.control("GET", "/_sandbox/driver")
        inbox = await count_by_status(world.context.db)
        display.update(driver["pending_steps"], inbox, await count_events(world.context.db))
        await asyncio.sleep(1.0)


def _table(comparison: Comparison) -> Table:
    table = Table(title="events: store vs sandbox oracle")
    for column in ("action", "expected", "stored", "missing", "extra"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for row in comparison.by_action():
        table.add_row(*(str(value) for value in row))
    return table


async def _verify(world: DemoWorld, businesses: dict[int, int], console: Console) -> bool:
    comparison = Comparison()
    include = str(world.settings.track_delivered).lower()
    for seller_id, business_id in businesses.items():
        oracle = await world.control(
            "GET", f"/_sandbox/expected-events?seller_id={seller_id}&include_delivered={include}"
        )
        compare(oracle["events"], await stored_events(world.context.db, business_id), comparison)
    console.print(_table(comparison))
    verdict = (
        "exact match"
        if comparison.exact
        else f"{sum(comparison.missing.values())} missing, {sum(comparison.extra.values())} extra"
    )
    click.echo(f"result: {verdict}")
    return comparison.exact


async def _follow(world: DemoWorld) -> None:
    after = 0
    while True:
        for view in await read_events(world.context.db, after=after, limit=500):
            amount = f"{view.amount} {view.currency}" if view.amount is not None else ""
            when = f"{view.tracked_at:%Y-%m-%d %H:%M}"
            click.echo(
                f"{when} {view.action:<17} order {view.order_reference} buyer {view.subscriber_external_id} {amount}"
            )
            after = view.id
        await asyncio.sleep(0.5)


def _head(world: DemoWorld, sellers: list[dict[str, Any]], redis_how: str) -> str:
    metrics = f"metrics {world.internal_url}/metrics, " if world.internal_url else ""
    return (
        f"meli demo: web {world.web_url} (/healthz), {metrics}sandbox {world.sandbox_url} (/_sandbox), "
        f"redis {world.settings.redis_url} ({redis_how}, queue {world.settings.queue_name}), "
        f"database {world.settings.database_url}\n"
        f"  connected sellers: {', '.join(describe(seller) for seller in sellers)}"
    )


async def play(settings: Settings, options: DemoOptions, redis_how: str) -> int:
    console = Console(highlight=False)
    config = SandboxConfig(seed=options.seed, sellers=options.sellers, orders=options.orders, notify_time_scale=0.01)
    config.faults.update(options.faults)
    hellotext_faults = faults_from_json(dict(options.hellotext_faults))
    async with demo_world(settings, config, options.sandbox_port, hellotext_faults) as world:
        sellers = await world.sellers()
        connected = {seller["id"]: await world.connect_seller(seller) for seller in sellers}
        businesses = {seller_id: business.business_id for seller_id, business in connected.items()}
        for business_id in businesses.values():
            await connect_hellotext(
                world.context, world.http, hellotext_api(world.settings), world.hellotext_url, business_id
            )
        summary = await world.control("GET", "/_sandbox")
        head = _head(world, sellers, redis_how)
        click.echo(banner(head, world.web_url, world.settings.database_url, list(connected.values()),
                          config.start, options.exit_when_done))  # fmt: skip
        click.echo(f"  hellotext (fake): {world.hellotext_url} (/_sandbox/oracle); `meli deliveries --business 1`")
        progress = Progress(summary["pending_steps"])
        await world.control("PUT", "/_sandbox/driver", {"rate": options.rate})
        if not options.exit_when_done:
            await _follow(world)
        with ProgressDisplay(console, progress) as display:
            await _wait_until_drained(world, display, options.timeout)
        await wait_delivered(world.context, list(businesses.values()), console, options.timeout)
        stored = await _verify(world, businesses, console)
        delivered = await compare_delivered(
            world.context, world.http, world.hellotext_url, list(businesses.values()), console
        )
        return 0 if stored and delivered else 1
