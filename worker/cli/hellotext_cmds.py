"""`meli business hellotext` (a business's Hellotext token and delivery options) and `meli deliveries` (the
outbox of a business: list by status, retry, skip)."""

from __future__ import annotations

import sys

import click

from worker.cli.common import CliState, echo_json, guarded, run
from worker.cli.store_cmds import business
from worker.clock import utcnow
from worker.context import app_context, hellotext_api
from worker.delivery.connect import configure, parse_history
from worker.errors import NotFoundError
from worker.store.businesses import get_business
from worker.store.deliveries import count_by_status, list_deliveries, retry_delivery, skip_delivery
from worker.store.delivery_models import DeliveryStatus
from worker.store.hellotext import UNCHANGED, load_config

pass_state = click.make_pass_decorator(CliState)
STATUSES = click.Choice([status.value for status in DeliveryStatus])


@business.command("hellotext")
@click.option("--business", "business_id", type=int, required=True, help="The business id.")
@click.option("--keep-token", is_flag=True, help="Change only the options below; read no token.")
@click.option("--history", help="Past events to send: all, none, or a number of days (default 90).")
@click.option("--pause/--resume", "paused", default=None, help="Stop or restart delivery to Hellotext.")
@pass_state
def hellotext(state: CliState, business_id: int, keep_token: bool, history: str | None, paused: bool | None) -> None:
    """Set the business's Hellotext private API token, read from standard input (checked with Hellotext before
    it is saved, encrypted), and its delivery options."""
    settings = guarded(state.settings)
    token = None
    if not keep_token:
        token = click.prompt("Hellotext token", hide_input=True) if sys.stdin.isatty() else sys.stdin.readline()
    days = UNCHANGED if history is None else guarded(lambda: parse_history(history))

    async def go() -> dict[str, object]:
        async with app_context(settings) as context:
            if await get_business(context.db, business_id) is None:
                raise NotFoundError(f"no business {business_id} (meli business create makes one)")
            api = hellotext_api(settings)
            if not await configure(context.db, context.cipher, api, business_id, token=token, paused=paused,
                                   history_days=days):  # fmt: skip
                raise NotFoundError(f"business {business_id} has no Hellotext token yet: set one first")
            config = await load_config(context.db, context.cipher, business_id)
            assert config is not None
            return config.to_json()

    echo_json({"business_id": business_id, **run(go)})


@click.command()
@click.option("--business", "business_id", type=int, required=True, help="The business id.")
@click.option("--status", type=STATUSES, help="Only deliveries in this state (e.g. review).")
@click.option("--retry", "retry_id", type=int, help="Send this delivery again (from review or skipped).")
@click.option("--skip", "skip_id", type=int, help="Never send this delivery.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@pass_state
def deliveries(state: CliState, business_id: int, status: str | None, retry_id: int | None, skip_id: int | None,
               limit: int) -> None:  # fmt: skip
    """Deliveries of a business's events to Hellotext as JSON lines, and the count by state on stderr; or
    retry or skip one."""
    settings = guarded(state.settings)

    async def go() -> None:
        async with app_context(settings) as context:
            db = context.db
            for wanted, act in ((retry_id, "retry"), (skip_id, "skip")):
                if wanted is None:
                    continue
                done = await (retry_delivery(db, business_id, wanted, utcnow()) if act == "retry"
                              else skip_delivery(db, business_id, wanted))  # fmt: skip
                if not done:
                    raise NotFoundError(f"no delivery {wanted} of business {business_id} to {act} (not delivered)")
                echo_json({"id": wanted, "done": act})
                return
            for view in await list_deliveries(db, business_id, status, limit=limit):
                echo_json(view.to_json())
            click.echo(" ".join(f"{k}={v}" for k, v in sorted((await count_by_status(db, business_id)).items())),
                       err=True)  # fmt: skip

    run(go)


COMMANDS: tuple[click.Command, ...] = (deliveries,)
