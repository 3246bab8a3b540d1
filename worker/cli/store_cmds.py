"""Subcommands that work on the event store: migrate, business, events, keygen."""

from __future__ import annotations

import asyncio
import secrets

import click

from worker.cli.common import CliState, echo_json, existing_database, guarded, run
from worker.errors import NotFoundError
from worker.store.businesses import COUNTRIES, create_business, get_business
from worker.store.crypto import TokenCipher
from worker.store.db import mask_url, open_database
from worker.store.events import read_events
from worker.store.migrate import upgrade

pass_state = click.make_pass_decorator(CliState)
FOLLOW_POLL_SECONDS = 0.5


@click.command()
@pass_state
def migrate(state: CliState) -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    settings = guarded(state.settings)

    async def go() -> str | None:
        db = open_database(settings.database_url)
        try:
            return await upgrade(db)
        finally:
            await db.close()

    revision = run(go)
    click.echo(f"database {mask_url(settings.database_url)} is at revision {revision}")


@click.group()
def business() -> None:
    """Manage businesses (our merchants)."""


@business.command("create")
@click.argument("name")
@click.option("--country", required=True, help=f"Country of a Mercado Libre site, one of {', '.join(COUNTRIES)}.")
@pass_state
def business_create(state: CliState, name: str, country: str) -> None:
    """Create a business and print its id and a new API key (shown only this once)."""
    settings = guarded(state.settings)

    async def go() -> tuple[int, str]:
        db = open_database(existing_database(settings))
        try:
            created, api_key = await create_business(db, name, country)
        finally:
            await db.close()
        assert created.id is not None
        return created.id, api_key

    business_id, api_key = run(go)
    click.echo(f"business_id: {business_id}")
    click.echo(f"api_key: {api_key}")
    click.echo("Store the API key now: only its hash is kept.", err=True)


@click.command()
@click.option("--business", "business_id", type=int, help="Only events of this business id.")
@click.option("--after", type=int, default=0, show_default=True, help="Only events with an id above this one.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--follow", is_flag=True, help="Keep printing new events as they are stored (Ctrl-C stops).")
@pass_state
def events(state: CliState, business_id: int | None, after: int, limit: int, follow: bool) -> None:
    """Print stored events as JSON lines, oldest first (use the last id with --after to continue)."""
    settings = guarded(state.settings)

    async def go() -> None:
        db = open_database(existing_database(settings))
        cursor = after
        try:
            if business_id is not None and await get_business(db, business_id) is None:
                raise NotFoundError(f"no business {business_id} (`meli business create` prints the ids)")
            while True:
                batch = await read_events(db, business_id=business_id, after=cursor, limit=limit)
                for view in batch:
                    echo_json(view.to_json())
                cursor = batch[-1].id if batch else cursor
                if not follow:
                    return
                if not batch:
                    await asyncio.sleep(FOLLOW_POLL_SECONDS)
        finally:
            await db.close()

    run(go)


@click.command()
@click.option("--signing", is_flag=True, help="A signing key for MELI_SECRET_KEY (or MELI_WEBHOOK_PATH_SECRET).")
def keygen(signing: bool) -> None:
    """Print a new token encryption key for MELI_TOKEN_ENCRYPTION_KEYS (put it first to rotate), or with
    --signing a random key of 48 bytes for MELI_SECRET_KEY."""
    click.echo(secrets.token_urlsafe(48) if signing else TokenCipher.generate_key())


COMMANDS: tuple[click.Command, ...] = (migrate, business, events, keygen)
