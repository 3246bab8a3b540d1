"""`meli connect-link`: print a signed link a merchant opens to connect a Mercado Libre seller account."""

from __future__ import annotations

import click

from connectors.errors import NotFoundError
from worker.cli.common import CliState, guarded, run
from worker.connect.links import ConnectLink, ConnectLinks, check_site
from worker.store.businesses import get_business
from worker.store.db import open_database
from worker.store.models import utcnow

pass_state = click.make_pass_decorator(CliState)


@click.command("connect-link")
@click.option("--business", "business_id", type=int, required=True, help="The business (merchant) id.")
@click.option("--site", help="Preselect a Mercado Libre site, e.g. MCO, MLA, MLB (default: the business's country).")
@pass_state
def connect_link(state: CliState, business_id: int, site: str | None) -> None:
    """Print a connect link for a business (valid MELI_CONNECT_LINK_TTL_DAYS days, 7 by default)."""
    settings = guarded(state.settings)
    try:
        site_id = check_site(site)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--site") from None

    async def go() -> ConnectLink:
        db = open_database(settings.database_url)
        try:
            if await get_business(db, business_id) is None:
                raise NotFoundError(f"no business {business_id} (create one with `meli business create`)")
        finally:
            await db.close()
        return ConnectLinks(settings).issue(business_id, site_id, now=utcnow())

    link = run(go)
    click.echo(link.url)
    click.echo(f"valid until {link.expires_at.isoformat().replace('+00:00', 'Z')}", err=True)


COMMANDS: tuple[click.Command, ...] = (connect_link,)
