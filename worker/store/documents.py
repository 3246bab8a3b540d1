"""Raw ML documents as last fetched, per account, kind and id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from worker.clock import utcnow
from worker.store.db import Database
from worker.store.dialect import upsert_insert
from worker.store.models import DocumentRow


@dataclass(frozen=True)
class RawDocument:
    kind: str
    ref: str
    raw: Any
    order_ref: str | None = None


@cache
def _document_upsert(dialect: str) -> Any:
    insert = upsert_insert(dialect, DocumentRow)
    return insert.on_conflict_do_update(
        index_elements=["account_id", "kind", "ref"],
        set_={
            "raw": insert.excluded.raw,
            "fetched_at": insert.excluded.fetched_at,
            "order_ref": insert.excluded.order_ref,
        },
    )


async def save_documents_in(conn: AsyncConnection, account_id: int, documents: Sequence[RawDocument]) -> None:
    if not documents:
        return
    now = utcnow()
    rows = [
        {"account_id": account_id, "kind": d.kind, "ref": d.ref, "order_ref": d.order_ref, "raw": d.raw,
         "fetched_at": now}
        for d in documents
    ]  # fmt: skip
    await conn.execute(_document_upsert(conn.dialect.name), rows)


async def save_documents(db: Database, account_id: int, documents: Sequence[RawDocument]) -> None:
    async with db.connect() as conn:
        await save_documents_in(conn, account_id, documents)


async def documents_of_order(db: Database, account_id: int, order_ref: str) -> list[DocumentRow]:
    """Every stored document that belongs to one order (the order itself included)."""
    statement = (
        select(DocumentRow)
        .where(col(DocumentRow.account_id) == account_id, col(DocumentRow.order_ref) == order_ref)
        .order_by(col(DocumentRow.kind), col(DocumentRow.ref))
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def order_refs(db: Database, account_id: int) -> list[str]:
    statement = (
        select(col(DocumentRow.ref))
        .where(col(DocumentRow.account_id) == account_id, col(DocumentRow.kind) == "order")
        .order_by(col(DocumentRow.ref))
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())
