"""Subcommands that rotate and revoke: `meli business rotate-key`, `meli business revoke`, `meli keys
reencrypt`."""

from __future__ import annotations

import click

from worker.cli.common import CliState, existing_database, guarded, run
from worker.cli.store_cmds import business
from worker.clock import utcnow
from worker.context import app_context
from worker.errors import NotFoundError
from worker.store.businesses import new_signing_salt, rotate_api_key
from worker.store.db import open_database
from worker.store.links import revoke_business_links
from worker.store.reencrypt import Reencrypted, reencrypt_redis, reencrypt_secrets, reencrypt_tokens

pass_state = click.make_pass_decorator(CliState)


def _missing(business_id: int) -> NotFoundError:
    return NotFoundError(f"no business {business_id} (create one with `meli business create`)")


@business.command("rotate-key")
@click.argument("business_id", type=int)
@pass_state
def business_rotate_key(state: CliState, business_id: int) -> None:
    """Replace the business's API key and print the new one (shown only this once); the old key stops working
    at once."""
    settings = guarded(state.settings)

    async def go() -> str:
        db = open_database(existing_database(settings))
        try:
            api_key = await rotate_api_key(db, business_id)
        finally:
            await db.close()
        if api_key is None:
            raise _missing(business_id)
        return api_key

    click.echo(f"api_key: {run(go)}")
    click.echo("Store the API key now: only its hash is kept. The old key no longer works.", err=True)


@business.command("revoke")
@click.argument("business_id", type=int)
@pass_state
def business_revoke(state: CliState, business_id: int) -> None:
    """Revoke every browser session, form token and open connect or owner link of the business."""
    settings = guarded(state.settings)

    async def go() -> int:
        db = open_database(existing_database(settings))
        try:
            if not await new_signing_salt(db, business_id):
                raise _missing(business_id)
            return await revoke_business_links(db, business_id, utcnow())
        finally:
            await db.close()

    links = run(go)
    click.echo(f"business {business_id}: every session revoked, {links} open link(s) revoked")


@click.group()
def keys() -> None:
    """Manage the token encryption keys (MELI_TOKEN_ENCRYPTION_KEYS)."""


@keys.command("reencrypt")
@pass_state
def keys_reencrypt(state: CliState) -> None:
    """Re-encrypt every stored token (of every account, reconnect-pending ones included), every outbound webhook
    secret and the Redis copies of tokens under the first key. Afterwards the other keys can be removed from
    MELI_TOKEN_ENCRYPTION_KEYS."""
    settings = guarded(state.settings)

    async def go() -> Reencrypted:
        report = Reencrypted()
        async with app_context(settings) as context:
            await reencrypt_tokens(context.db, context.cipher, report)
            await reencrypt_secrets(context.db, context.cipher, report)
            await reencrypt_redis(context.redis, context.cipher, settings.queue_name, report)
        return report

    report = run(go)
    click.echo(
        f"re-encrypted under the first key: {report.tokens} account token(s), {report.secrets} webhook secret(s), "
        f"{report.redis_copies} Redis copies"
    )
    if report.unreadable:
        click.echo(f"error: {report.unreadable} stored token(s) match no configured key; keep the old keys", err=True)
        raise SystemExit(1)


COMMANDS: tuple[click.Command, ...] = (keys,)
