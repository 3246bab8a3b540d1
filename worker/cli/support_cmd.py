"""Support subcommands: `meli explain ORDER_ID` and `meli replay`. Both read the store only (no network)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from connectors.mercadolibre.mapping import MappingOptions
from worker.cli.common import CliState, Moment, echo_json, existing_database, guarded, run
from worker.settings import Settings
from worker.store.accounts import get_account
from worker.store.db import Database, open_database
from worker.support.render import make_console, render_replay, render_story
from worker.support.replay import ReplayReport, replay
from worker.support.story import OrderStory, explain_order, story_json

pass_state = click.make_pass_decorator(CliState)


class OrderNumber(click.ParamType):  # type: ignore[type-arg]
    """A Mercado Libre order number: digits only, e.g. 2000001234."""

    name = "order_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            self.fail(f"{value!r} is not an order number: give the Mercado Libre order id in digits, e.g. 2000001234")
        return int(text)


def _options(settings: Settings) -> MappingOptions:
    return MappingOptions(include_delivered=settings.track_delivered)


@click.command()
@click.argument("order_id", type=OrderNumber())
@click.option("--business", "business_id", type=int, help="Only look at this business id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@pass_state
def explain(state: CliState, order_id: int, business_id: int | None, as_json: bool) -> None:
    """Print an order's whole story: notifications received, documents fetched, events stored with the rule
    behind each, and why an expected event is absent."""
    settings = guarded(state.settings)

    async def go() -> OrderStory:
        db = open_database(existing_database(settings))
        try:
            return await explain_order(db, str(order_id), business_id, _options(settings))
        finally:
            await db.close()

    story = run(go)
    if as_json:
        echo_json(story_json(story))
    else:
        render_story(make_console(), story)


async def _seller_of(db: Database, account_id: int) -> int:
    """The seller of account number `account_id`; a number that names no account is taken as a seller id."""
    account = await get_account(db, account_id)
    return account.seller_id if account is not None else account_id


@click.command("replay")
@click.option(
    "--account",
    "account_id",
    type=click.IntRange(min=1),
    help="Only this account: its number on the account page and in the API (an ML seller id is also understood).",
)
@click.option("--seller", "seller_id", type=click.IntRange(min=1), help="Only this seller (ML user id).")
@click.option("--since", type=Moment(), help="Only orders last fetched at or after this date (UTC unless given).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@pass_state
def replay_command(
    state: CliState, account_id: int | None, seller_id: int | None, since: datetime | None, as_json: bool
) -> None:
    """Re-run the mapping over the stored raw documents and add only the events now missing (origin replay).

    No network; idempotent: a second replay adds nothing."""
    if account_id is not None and seller_id is not None:
        raise click.UsageError("give at most one of --account N (the account number) or --seller SELLER_ID")
    settings = guarded(state.settings)

    async def go() -> ReplayReport:
        db = open_database(existing_database(settings))
        try:
            seller = seller_id if account_id is None else await _seller_of(db, account_id)
            return await replay(db, seller, since, _options(settings))
        finally:
            await db.close()

    report = run(go)
    if as_json:
        echo_json(report.to_json())
    else:
        render_replay(make_console(), report)


COMMANDS: tuple[click.Command, ...] = (explain, replay_command)
