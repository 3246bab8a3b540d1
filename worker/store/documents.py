"""Raw ML documents as last fetched, per account, kind and id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from worker.clock import utcnow
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
