"""Read-only store queries of the support tools (explain, replay)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import SOURCE
from connectors.mercadolibre.payloads import parse_order
from worker.store.db import Database
from worker.store.models import DocumentRow, EventRow, InboxRow, MlAccount, OrderObject
from worker.support.documents import StoredDocument

KIND_ORDER = {"order": 0, "shipment": 1, "shipment_history": 2, "payment": 3, "claims": 4}  # how explain lists them


def _stored(row: DocumentRow) -> StoredDocument:
    return StoredDocument(row.kind, row.ref, row.raw, row.fetched_at)


async def accounts_of_order(db: Database, order_id: str, business_id: int | None) -> list[MlAccount]:
    """The accounts that fetched this order or were notified about it (normally exactly one)."""
    fetched = select(col(DocumentRow.account_id)).where(col(DocumentRow.kind) == "order", DocumentRow.ref == order_id)
    notified = select(col(InboxRow.account_id)).where(
        col(InboxRow.kind) == "order", col(InboxRow.resource_id) == order_id
    )
    statement = (
        select(MlAccount)
        .where(or_(col(MlAccount.id).in_(fetched), col(MlAccount.id).in_(notified)))
        .order_by(col(MlAccount.id))
    )
    if business_id is not None:
        statement = statement.where(col(MlAccount.business_id) == business_id)
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


def _linked_refs(documents: list[StoredDocument], order_id: str) -> tuple[str | None, set[str]]:
    """The shipment id and payment ids the order document names (nothing when it is unreadable)."""
    order_doc = next((doc for doc in documents if doc.kind == "order" and doc.ref == order_id), None)
    if order_doc is None:
        return None, set()
    try:
        order = parse_order(order_doc.raw)
    except InvalidRecord:
        return None, set()
    return order.shipment_id, {payment.id for payment in order.payments}


async def order_documents(db: Database, account_id: int, order_id: str) -> list[StoredDocument]:
    """The order's documents: those stored for it, plus its shipment and payments stored under another order
    of the same pack (a shared document keeps the order that fetched it last)."""
    own = or_(
        col(DocumentRow.order_ref) == order_id, and_(col(DocumentRow.kind) == "order", col(DocumentRow.ref) == order_id)
    )
    async with db.transaction() as session:
        rows = list((await session.exec(select(DocumentRow).where(DocumentRow.account_id == account_id, own))).all())
        shipment_id, payment_ids = _linked_refs([_stored(row) for row in rows], order_id)
        shared = [and_(col(DocumentRow.kind) == "payment", col(DocumentRow.ref).in_(payment_ids))]
        if shipment_id is not None:
            kinds = col(DocumentRow.kind).in_(["shipment", "shipment_history"])
            shared.append(and_(kinds, col(DocumentRow.ref) == shipment_id))
        statement = select(DocumentRow).where(DocumentRow.account_id == account_id, or_(*shared))
        rows += list((await session.exec(statement)).all())
    unique = {(row.kind, row.ref): row for row in rows}
    return [_stored(unique[key]) for key in sorted(unique, key=lambda key: (KIND_ORDER.get(key[0], 9), key[1]))]


async def notifications_about(db: Database, account_id: int, ids: Mapping[str, Collection[str]]) -> list[InboxRow]:
    """Inbox rows of the account that name one of `ids` (inbox kind → resource ids), oldest first."""
    wanted = [
        and_(col(InboxRow.kind) == kind, col(InboxRow.resource_id).in_(sorted(refs)))
        for kind, refs in ids.items()
        if refs
    ]
    if not wanted:
        return []
    statement = select(InboxRow).where(col(InboxRow.account_id) == account_id, or_(*wanted)).order_by(col(InboxRow.id))
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def events_of_order(db: Database, business_id: int, order_id: str) -> list[EventRow]:
    statement = (
        select(EventRow)
        .join(OrderObject, col(OrderObject.id) == col(EventRow.order_object_id))
        .where(
            col(EventRow.business_id) == business_id,
            col(OrderObject.business_id) == business_id,
            col(OrderObject.source) == SOURCE,
            col(OrderObject.reference) == order_id,
        )
        .order_by(col(EventRow.tracked_at), col(EventRow.dedupe_key))
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def stored_keys(db: Database, business_id: int, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    statement = select(col(EventRow.dedupe_key)).where(
        col(EventRow.business_id) == business_id, col(EventRow.dedupe_key).in_(sorted(keys))
    )
    async with db.transaction() as session:
        return set((await session.exec(statement)).all())


async def all_accounts(db: Database) -> list[MlAccount]:
    async with db.transaction() as session:
        return list((await session.exec(select(MlAccount).order_by(col(MlAccount.id)))).all())


async def orders_fetched_since(db: Database, account_id: int, since: datetime | None) -> list[str]:
    """Ids of the account's stored orders, only those last fetched at or after `since` when given."""
    statement = select(col(DocumentRow.ref)).where(DocumentRow.account_id == account_id, DocumentRow.kind == "order")
    if since is not None:
        statement = statement.where(col(DocumentRow.fetched_at) >= since)
    async with db.transaction() as session:
        return sorted((await session.exec(statement)).all(), key=lambda ref: (len(ref), ref))
