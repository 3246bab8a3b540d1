"""`meli business webhook`: a business's outbound webhook endpoints (add one, list them, remove one)."""

from __future__ import annotations

import click

from worker.cli.common import CliState, echo_json, guarded, run
from worker.cli.store_cmds import business
from worker.clock import utcnow
from worker.context import app_context
from worker.delivery.endpoints import create_endpoint
from worker.errors import NotFoundError
from worker.store.businesses import get_business
from worker.store.webhooks import list_endpoints, remove_endpoint, resume_endpoint

pass_state = click.make_pass_decorator(CliState)


@business.command("webhook")
@click.option("--business", "business_id", type=int, required=True, help="The business id.")
@click.option("--add", "url", help="Add an endpoint at this URL (https; its secret is printed once).")
@click.option("--remove", "remove_id", type=int, help="Remove this endpoint and its messages.")
@click.option("--resume", "resume_id", type=int, help="Make this endpoint active again, its messages in review due.")
@pass_state
def webhook(state: CliState, business_id: int, url: str | None, remove_id: int | None,
            resume_id: int | None) -> None:  # fmt: skip
    """Add, remove, resume or list (no option) the business's outbound webhook endpoints, as JSON lines. Each
    event and account change is posted to every active endpoint, signed as Standard Webhooks says."""
    settings = guarded(state.settings)
    if sum(option is not None for option in (url, remove_id, resume_id)) > 1:
        raise click.UsageError("--add, --remove and --resume do not go together")

    async def go() -> None:
        async with app_context(settings) as context:
            db = context.db
            if await get_business(db, business_id) is None:
                raise NotFoundError(f"no business {business_id} (meli business create makes one)")
            if url is not None:
                allow_local = settings.outbound_webhooks_allow_local
                echo_json((await create_endpoint(db, context.cipher, business_id, url, allow_local)).to_json())
            elif remove_id is not None:
                if not await remove_endpoint(db, business_id, remove_id):
                    raise NotFoundError(f"no endpoint {remove_id} of business {business_id}")
                echo_json({"id": remove_id, "done": "removed"})
            elif resume_id is not None:
                again = await resume_endpoint(db, business_id, resume_id, utcnow())
                if again is None:
                    raise NotFoundError(f"no endpoint {resume_id} of business {business_id}")
                echo_json({"id": resume_id, "done": "resumed", "messages_due": again})
            else:
                for endpoint in await list_endpoints(db, business_id):
                    echo_json(endpoint.to_json())

    run(go)


COMMANDS: tuple[click.Command, ...] = ()  # `webhook` hangs under `meli business`
