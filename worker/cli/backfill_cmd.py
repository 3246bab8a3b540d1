"""`meli backfill --account N | --seller SELLER_ID [--since DATE] [--until DATE]`: import a seller's past orders
here, with a progress bar. `--account` takes the account number that the pages and the business API show; an
old script that passes the Mercado Libre seller id to `--account` still works (when no account has that number,
the seller with that id is used). Ctrl-C stops it with every finished page saved; the same command resumes it
(so does a running worker). While a backfill of the account is open, another range is refused and the same one
is joined."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import click
from rich.console import Console

from connectors.errors import MeliError
from worker.cli.common import CliState, Moment, fail, guarded
from worker.clock import utcnow
from worker.errors import NotFoundError
from worker.settings import Settings
from worker.store.accounts import get_account, get_account_by_seller
from worker.store.db import Database
from worker.store.events import iso_z
from worker.store.models import AccountStatus, BackfillRun, MlAccount

pass_state = click.make_pass_decorator(CliState)


def _check_dates(since: datetime | None, until: datetime | None) -> None:
    now = utcnow()
    if since is not None and since >= min(until or now, now):
        end = f"--until {iso_z(until)}" if until is not None and until <= now else "now"
        raise click.UsageError(f"--since {iso_z(since)} is not before {end}")


async def _find(db: Database, account_id: int | None, seller_id: int | None) -> MlAccount:
    if account_id is not None:
        account = await get_account(db, account_id) or await get_account_by_seller(db, account_id)
        if account is None:
            raise NotFoundError(f"no account {account_id} (the number on the account page; use --seller for an ML id)")
        return account
    assert seller_id is not None
    account = await get_account_by_seller(db, seller_id)
    if account is None:
        raise NotFoundError(f"no connected account for seller {seller_id}")
    return account


async def _account(db: Database, account_id: int | None, seller_id: int | None) -> MlAccount:
    account = await _find(db, account_id, seller_id)
    name = f"account {account.id} (seller {account.seller_id})"
    if account.status == AccountStatus.DISCONNECTED.value:
        raise MeliError(f"{name} is disconnected: connect it again first")
    if account.status == AccountStatus.NEEDS_REAUTH.value:
        raise MeliError(f"{name} must reconnect (its authorization was revoked or expired)")
    return account


async def _backfill(
    settings: Settings, who: tuple[int | None, int | None], since: datetime | None, until: datetime | None
) -> str:
    from worker.backfill.console import Drove, ProgressView, drive
    from worker.backfill.service import request_backfill
    from worker.context import backfill_plan
    from worker.jobs.deps import build_deps, close_deps

    deps = build_deps(settings)
    try:
        account = await _account(deps.app.db, *who)
        requested = await request_backfill(deps.app.db, backfill_plan(settings), account, since, until)
        bulk = deps.bulk
        assert account.id is not None
        with ProgressView(Console(stderr=True), [run.id for run in requested.runs if run.id]) as view:
            follower = asyncio.create_task(view.follow(deps.app.db, account.id))
            try:
                outcome = await drive(bulk, account)
            finally:
                follower.cancel()
            runs = await view.refresh(deps.app.db, account.id)
        return _summary(account, outcome is Drove.JOINED, runs)
    finally:
        await close_deps(deps)


def _summary(account: MlAccount, joined: bool, runs: list[BackfillRun]) -> str:
    orders = sum(run.orders_done for run in runs)
    failed = sum(run.orders_failed for run in runs)
    events = sum(run.events_added for run in runs)
    calls = sum(run.api_calls for run in runs)
    per_order = f"{calls / (orders + failed):.2f}" if orders + failed else "-"
    verb = "done (by another runner)" if joined else "done"
    return (
        f"backfill of account {account.id} (seller {account.seller_id}) {verb}: {orders} orders, {failed} skipped, "
        f"{events} new events, {calls} API calls ({per_order} per order)"
    )


@click.command("backfill")
@click.option(
    "--account",
    "account_id",
    type=click.IntRange(1),
    help="The account number shown on the account page and by the API (an ML seller id is also understood).",
)
@click.option("--seller", "seller_id", type=click.IntRange(1), help="The Mercado Libre seller id (ML user id).")
@click.option(
    "--since", type=Moment(), help="Orders created from this date/time (default: MELI_BACKFILL_DEPTH_DAYS ago)."
)
@click.option("--until", type=Moment(), help="Orders created before this date/time (default: now).")
@pass_state
def backfill(
    state: CliState, account_id: int | None, seller_id: int | None, since: datetime | None, until: datetime | None
) -> None:
    """Import a connected seller's past orders (as the initial import does), with a progress bar.

    Ctrl-C stops it; every finished page is saved, and the same command resumes where it stopped.
    """
    if (account_id is None) == (seller_id is None):
        raise click.UsageError("give exactly one of --account N (the account number) or --seller SELLER_ID")
    _check_dates(since, until)
    settings = guarded(state.settings)
    try:
        summary = asyncio.run(_backfill(settings, (account_id, seller_id), since, until))
    except MeliError as error:
        fail(str(error))
    except KeyboardInterrupt:
        click.echo("interrupted: progress is saved; run the same command to resume", err=True)
        sys.exit(130)
    click.echo(summary)


COMMANDS: tuple[click.Command, ...] = (backfill,)
