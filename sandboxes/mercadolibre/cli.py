"""`meli sandbox`: run the sandbox standalone and print its URLs and test sellers.

    meli sandbox --port 8099 --seed 7 --sellers 2 --orders 200 --rate 20/s --callback-url URL \
        [--fault-5xx 0.05 --fault-429 0.02 --latency-ms 50 ...]

`sandbox_command` is a click command; the project CLI registers it as `meli sandbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from aiohttp import web

from sandboxes.mercadolibre.app import create_sandbox_app
from sandboxes.mercadolibre.clock import BadInstant, parse_instant
from sandboxes.mercadolibre.config import DEFAULT_START, ConfigValueError, Faults, SandboxConfig, parse_rate
from sandboxes.mercadolibre.sites import SITES
from sandboxes.mercadolibre.state import SANDBOX, Sandbox

F = TypeVar("F", bound=Callable[..., Any])

FAULT_OPTIONS = (
    ("--fault-5xx", "fault_5xx", "probability of a random 500/502/503"),
    ("--fault-429", "fault_429", "probability of a random 429"),
    ("--fault-related", "fault_related", "probability of a 404/403 on an order's related documents"),
    ("--latency-ms", "latency_ms", "added latency per request (ms)"),
    ("--latency-jitter-ms", "latency_jitter_ms", "extra random latency, uniform 0..N ms"),
    ("--timeout-rate", "timeout_rate", "probability that a request hangs (then 504)"),
    ("--timeout-s", "timeout_s", "how long a hanging request hangs (s)"),
    ("--duplicate-rate", "duplicate_rate", "probability a notification is delivered twice"),
    ("--late-rate", "late_rate", "probability a notification is held back --late-s"),
    ("--late-s", "late_s", "delay of a late notification (s, scaled by --notify-time-scale)"),
    ("--reorder-rate", "reorder_rate", "probability a notification is held 1-10 s (overtaken)"),
    ("--app-rps", "app_rps", "per-application request budget (requests/s, 0 = unlimited)"),
    ("--seller-rps", "seller_rps", "per-seller request budget (requests/s, 0 = unlimited)"),
)


def banner(sandbox: Sandbox, base_url: str) -> str:
    """The block printed at start: where things are and who can log in."""
    config = sandbox.config
    lines = [
        "Mercado Libre sandbox (offline; nothing here talks to the real ML)",
        f"  API base URL    {base_url}            (ml_api_base_url)",
        f"  Auth base URL   {base_url}            (ml_auth_base_url)",
        f"  Payments (MP)   {base_url}/v1/payments/<id>   (mp_api_base_url)",
        f"  Authorize at    {base_url}/<auth host>/authorization",
        f"                  e.g. {base_url}/auth.mercadolibre.com.ar/authorization",
        f"  Token endpoint  {base_url}/oauth/token",
        f"  Control API     {base_url}/_sandbox   (oracle: /_sandbox/expected-events?seller_id=ID)",
        f"  Client id       {config.client_id}",
        f"  Redirect URIs   {', '.join(config.redirect_uris)}",
        f"  Callback URL    {sandbox.notifier.callback_url or '(none: notifications go to /missed_feeds)'}",
        f"  Seed {config.seed}, rate {sandbox.driver.rate:g} steps/s, {sandbox.engine.pending} planned steps",
        "  Test sellers:",
        f"    {'id':<11} {'nickname':<18} {'site':<5} {'auth host':<28} login",
    ]
    for seller_id in sandbox.world.sellers:
        user = sandbox.world.users[seller_id]
        host = SITES[user.site_id].auth_host
        lines.append(f"    {user.id:<11} {user.nickname:<18} {user.site_id:<5} {host:<28} {user.login}")
    return "\n".join(lines)


def _start(value: str) -> str:
    if value == "now":
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    parse_instant(value)  # a bad time is a usage error here, not a traceback when the world is built
    return value


def build_config(options: dict[str, Any]) -> SandboxConfig:
    faults = Faults(**{name: options[name] for _, name, _ in FAULT_OPTIONS})
    config = SandboxConfig(
        seed=options["seed"],
        sellers=options["sellers"],
        global_sellers=options["global_sellers"],
        orders=options["orders"],
        historical_orders=options["historical_orders"],
        history_days=options["history_days"],
        start=_start(options["start"]),
        rate=parse_rate(options["rate"]),
        callback_url=options["callback_url"],
        client_id=options["client_id"],
        client_secret=options["client_secret"],
        redirect_uris=list(options["redirect_uri"]) or SandboxConfig().redirect_uris,
        pkce_required=options["pkce_required"],
        access_token_ttl_s=options["access_token_ttl"],
        search_offset_cap=options["offset_cap"],
        search_hide_cancelled=options["hide_cancelled"],
        notify_time_scale=options["notify_time_scale"],
        faults=faults,
    )
    config.validate()
    return config


async def serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    click.echo(banner(app[SANDBOX], f"http://{bound_host}:{bound_port}"), nl=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _fault_options(func: F) -> F:
    for flag, name, text in reversed(FAULT_OPTIONS):
        default = getattr(Faults(), name)
        func = click.option(flag, name, type=float, default=default, show_default=True, help=text)(func)
    return func


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", default=8099, show_default=True, help="port (0 = any free port)")
@click.option("--seed", default=7, show_default=True, help="world seed: same seed, same world")
@click.option("--sellers", default=2, show_default=True, help="number of test sellers")
@click.option(
    "--global-sellers", default=0, show_default=True, help="how many sellers (the last ones) are Global Selling sellers"
)
@click.option("--orders", default=20, show_default=True, help="live orders planned per seller")
@click.option("--historical-orders", default=0, show_default=True, help="finished orders per seller, for backfill")
@click.option("--history-days", default=730, show_default=True, help="span of the historical orders (days)")
@click.option(
    "--start",
    default=DEFAULT_START,
    show_default=True,
    help="simulated time the world starts at: "
    "ISO 8601 UTC, or `now` (the history then ends now, as for a seller who connects today)",
)
@click.option("--rate", default="1/s", show_default=True, help="lifecycle steps per second: 20/s, 600/m, 0")
@click.option("--callback-url", default=None, help="where notifications are POSTed (default: nowhere)")
@click.option("--client-id", default=SandboxConfig.client_id, show_default=True)
@click.option("--client-secret", default=SandboxConfig.client_secret, show_default=True)
@click.option("--redirect-uri", multiple=True, help="registered redirect URI (repeatable)")
@click.option("--pkce-required", is_flag=True, help="refuse authorizations without code_challenge")
@click.option("--access-token-ttl", default=21600.0, show_default=True, help="access token lifetime (s)")
@click.option("--offset-cap", default=10000, show_default=True, help="largest offset /orders/search accepts")
@click.option("--hide-cancelled", is_flag=True, help="orders search hides cancelled unless asked for")
@click.option("--notify-time-scale", default=1.0, show_default=True, help="multiplies notification retry waits")
@_fault_options
def sandbox_command(host: str, port: int, **options: Any) -> None:
    """Run the offline Mercado Libre sandbox (API, OAuth, notifications, control API and oracle)."""
    try:
        config = build_config(options)
    except (ConfigValueError, TypeError, BadInstant) as exc:
        raise click.BadParameter(str(exc)) from None
    app = create_sandbox_app(config)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(app, host, port))
