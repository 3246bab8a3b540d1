"""`meli connect-link` and `meli owner-link`: print a link a merchant opens to connect a Mercado Libre seller
account, or to manage every account of the business in a browser."""

from __future__ import annotations

import click

from worker.cli.common import CliState, existing_database, guarded, run
from worker.clock import utcnow
from worker.connect.links import ConnectLink, ConnectLinks, check_site
from worker.context import link_options
from worker.errors import NotFoundError
from worker.settings import Settings
from worker.store.businesses import get_business
from worker.store.db import open_database
from worker.store.links import LinkKind

pass_state = click.make_pass_decorator(CliState)


def _issue(settings: Settings, business_id: int, site_id: str | None, kind: LinkKind) -> ConnectLink:
    async def go() -> ConnectLink:
        db = open_database(existing_database(settings))
        try:
            if await get_business(db, business_id) is None:
                raise NotFoundError(f"no business {business_id} (create one with `meli business create`)")
            return await ConnectLinks(db, link_options(settings)).issue(business_id, site_id, now=utcnow(), kind=kind)
        finally:
            await db.close()

    return run(go)


def _print(link: ConnectLink) -> None:
    click.echo(link.url)
    click.echo(f"valid until {link.expires_at.isoformat().replace('+00:00', 'Z')} (link id {link.id})", err=True)


@click.command("connect-link")
@click.option("--business", "business_id", type=int, required=True, help="The business (merchant) id.")
@click.option("--site", help="Preselect a Mercado Libre site, e.g. MCO, MLA, MLB (default: the business's country).")
@pass_state
def connect_link(state: CliState, business_id: int, site: str | None) -> None:
    """Print a connect link for a business: it connects one seller account, within MELI_CONNECT_LINK_TTL_HOURS
    hours (24 by default)."""
    settings = guarded(state.settings)
    try:
        site_id = check_site(site)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--site") from None
    _print(_issue(settings, business_id, site_id, LinkKind.CONNECT))


@click.command("owner-link")
@click.option("--business", "business_id", type=int, required=True, help="The business (merchant) id.")
@pass_state
def owner_link(state: CliState, business_id: int) -> None:
    """Print an owner link: opened once, within MELI_OWNER_LINK_TTL_MINUTES minutes, it lets that browser see
    and disconnect every seller account of the business."""
    settings = guarded(state.settings)
    _print(_issue(settings, business_id, None, LinkKind.OWNER))


COMMANDS: tuple[click.Command, ...] = (connect_link, owner_link)
