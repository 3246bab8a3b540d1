"""`meli replay`: re-run the pure mapping over the stored raw documents and add only the missing events.

No network: the documents are those the live path last fetched. Events go through the live path's
`store_result` (insert-or-ignore on the dedupe key, origin `replay`), so a second replay adds nothing, and an
order whose events are all stored already is not written to at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import InvalidRecord
from connectors.events import Origin
from connectors.mercadolibre.mapping import MappingOptions, map_order
from worker.errors import NotFoundError
from worker.pipeline.sync import store_result
from worker.store.accounts import get_account_by_seller
from worker.store.db import Database
from worker.store.models import MlAccount
from worker.support.documents import bundle_from_documents
from worker.support.queries import all_accounts, order_documents, orders_fetched_since, stored_keys


@dataclass
class ReplayReport:
    accounts: int = 0
    orders: int = 0
    events_added: int = 0
    added_keys: list[str] = field(default_factory=list)  # keys missing before the replay stored them
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def accounts_to_replay(db: Database, seller_id: int | None) -> list[MlAccount]:
    """Every account, or the one of `seller_id` (NotFoundError when there is none)."""
    if seller_id is None:
        return await all_accounts(db)
    account = await get_account_by_seller(db, seller_id)
    if account is None:
        raise NotFoundError(f"no account of seller {seller_id}: it was never connected")
    return [account]


async def _replay_order(
    db: Database, account: MlAccount, order_id: str, options: MappingOptions, report: ReplayReport
) -> None:
    assert account.id is not None
    documents = await order_documents(db, account.id, order_id)
    try:
        result = map_order(bundle_from_documents(order_id, documents), options)
    except InvalidRecord as error:
        report.problems.append(f"order {order_id}: {error}")
        return
    report.orders += 1
    report.problems.extend(result.problems)
    keys = {event.dedupe_key for event in result.events}
    missing = keys - await stored_keys(db, account.business_id, keys)
    if not missing:
        return
    added = await store_result(db, account.business_id, result, Origin.REPLAY)  # new events by action
    report.events_added += sum(added.values())
    report.added_keys.extend(sorted(missing))


async def replay(
    db: Database, seller_id: int | None = None, since: datetime | None = None, options: MappingOptions | None = None
) -> ReplayReport:
    """Replay the stored orders of one seller (or all), only those last fetched at or after `since`."""
    accounts = await accounts_to_replay(db, seller_id)
    report = ReplayReport(accounts=len(accounts))
    for account in accounts:
        assert account.id is not None
        for order_id in await orders_fetched_since(db, account.id, since):
            await _replay_order(db, account, order_id, options or MappingOptions(), report)
    return report
