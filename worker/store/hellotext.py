"""A business's Hellotext settings (its private token encrypted at rest with the ML tokens' cipher) and the
Hellotext ids of the properties, profiles, products and orders created for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from worker.clock import utcnow
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.delivery_models import (
    DEFAULT_HISTORY_DAYS,
    Delivery,
    DeliveryStatus,
    HellotextRef,
    HellotextSettings,
    HellotextStatus,
)
from worker.store.dialect import upsert_insert


@dataclass(frozen=True)
class HellotextConfig:
    business_id: int
    token: str
    status: str
    paused: bool
    history_days: int | None
    connected_at: datetime
    retry_at: datetime | None
    resting_since: datetime | None = None  # the lane has rested since then: Hellotext looked unwell

    @property
    def sending(self) -> bool:
        return not self.paused and self.status == HellotextStatus.ACTIVE.value

    def to_json(self) -> dict[str, Any]:
        """Everything but the token."""
        history = "all" if self.history_days is None else self.history_days
        return {"status": self.status, "paused": self.paused, "history_days": history,
                "connected_at": self.connected_at.isoformat()}  # fmt: skip


async def save_token(
    db: Database, cipher: TokenCipher, business_id: int, token: str, *, forget_ids: bool = False
) -> None:
    """Set or replace the token; a replaced token also ends a wait for a new token (status back to active).
    `forget_ids`: the token is of another Hellotext business, so the ids kept for the old one are dropped in the
    same transaction (what they name does not exist there)."""
    now = utcnow()
    values = {
        "business_id": business_id,
        "token_enc": cipher.encrypt(token),
        "status": HellotextStatus.ACTIVE.value,
        "paused": False,
        "history_days": DEFAULT_HISTORY_DAYS,
        "connected_at": now,
        "updated_at": now,
    }
    insert = upsert_insert(db.dialect, HellotextSettings)
    statement = insert.values(values).on_conflict_do_update(
        index_elements=["business_id"],
        set_={
            "token_enc": insert.excluded.token_enc,
            "status": insert.excluded.status,
            "retry_at": None,
            "resting_since": None,
            "updated_at": now,
        },
    )
    async with db.connect() as conn:
        await conn.execute(statement)
        if forget_ids:
            await conn.execute(delete(HellotextRef).where(col(HellotextRef.business_id) == business_id))


async def one_saved_id(db: Database, business_id: int, kind: str) -> str | None:
    """The Hellotext id of one record of this kind created for the business, if any."""
    statement = select(HellotextRef.remote_id).where(
        col(HellotextRef.business_id) == business_id, col(HellotextRef.kind) == kind,
        col(HellotextRef.remote_id).is_not(None),
    ).limit(1)  # fmt: skip
    async with db.transaction() as session:
        return (await session.exec(statement)).first()


UNCHANGED: Any = object()


async def set_options(db: Database, business_id: int, *, paused: bool | None = None,
                      history_days: int | None = UNCHANGED) -> bool:  # fmt: skip
    """Pause or resume, and set how much history to send; False when the business has no Hellotext token."""
    values: dict[str, Any] = {"updated_at": utcnow()}
    if paused is not None:
        values["paused"] = paused
    if history_days is not UNCHANGED:
        values["history_days"] = history_days
    statement = update(HellotextSettings).where(col(HellotextSettings.business_id) == business_id).values(values)
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount)


async def load_config(db: Database, cipher: TokenCipher, business_id: int) -> HellotextConfig | None:
    async with db.transaction() as session:
        row = await session.get(HellotextSettings, business_id)
    if row is None:
        return None
    return HellotextConfig(business_id, cipher.decrypt(row.token_enc), row.status, row.paused, row.history_days,
                           row.connected_at, row.retry_at, row.resting_since)  # fmt: skip


async def update_settings(db: Database, business_id: int, **values: Any) -> None:
    """E.g. `status=hellotext_auth_failed` after a 401, `retry_at` after a 429."""
    statement = (
        update(HellotextSettings)
        .where(col(HellotextSettings.business_id) == business_id)
        .values(**values, updated_at=utcnow())
    )
    async with db.transaction() as session:
        await session.exec(statement)


async def rest_lane(db: Database, business_id: int, until: datetime, now: datetime) -> None:
    """Hellotext looks unwell for the business: its lane waits until `until`; `resting_since` keeps when the
    rest began (the first unwell round), so the deliveries that failed since can be woken when it ends."""
    since = func.coalesce(col(HellotextSettings.resting_since), now)
    await update_settings(db, business_id, retry_at=until, resting_since=since)


async def end_rest(db: Database, business_id: int) -> None:
    await update_settings(db, business_id, retry_at=None, resting_since=None)


async def lanes_due(db: Database, now: datetime, limit: int = 500) -> list[int]:
    """Businesses whose delivery may proceed now and that have a delivery due."""
    due = (
        select(Delivery.business_id)
        .where(col(Delivery.status) == DeliveryStatus.PENDING.value, col(Delivery.due_at) <= now)
        .where(col(Delivery.business_id) == col(HellotextSettings.business_id))
        .exists()
    )
    statement = (
        select(HellotextSettings.business_id)
        .where(col(HellotextSettings.status) == HellotextStatus.ACTIVE.value, col(HellotextSettings.paused).is_(False))
        .where((col(HellotextSettings.retry_at).is_(None)) | (col(HellotextSettings.retry_at) <= now))
        .where(due)
        .order_by(col(HellotextSettings.business_id))
        .limit(limit)
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


async def saved_refs(db: Database, business_id: int, kind: str, references: Sequence[str]) -> dict[str, str | None]:
    """Our references that have a row: their Hellotext id, or None where a create's answer was lost."""
    statement = select(HellotextRef.reference, HellotextRef.remote_id).where(
        col(HellotextRef.business_id) == business_id, col(HellotextRef.kind) == kind,
        col(HellotextRef.reference).in_(list(references)),
    )  # fmt: skip
    async with db.transaction() as session:
        return {reference: remote_id for reference, remote_id in (await session.exec(statement)).all()}


async def save_ref(db: Database, business_id: int, kind: str, reference: str, remote_id: str | None) -> None:
    """Record a Hellotext id; `remote_id=None` notes a create about to be sent (kept if an id is known)."""
    await save_refs(db, business_id, [(kind, reference, remote_id)])


async def save_refs(db: Database, business_id: int, refs: Sequence[tuple[str, str, str | None]]) -> None:
    """`save_ref` for several (kind, reference, id) at once: one statement for the notes, one for the ids."""
    now, keys = utcnow(), ["business_id", "kind", "reference"]
    rows = {(kind, reference): remote_id for kind, reference, remote_id in refs}  # one row per key in a statement
    notes = [_ref_row(business_id, key, None, now) for key, remote_id in rows.items() if remote_id is None]
    found = [_ref_row(business_id, key, remote_id, now) for key, remote_id in rows.items() if remote_id is not None]
    async with db.connect() as conn:
        if notes:
            await conn.execute(upsert_insert(db.dialect, HellotextRef).values(notes).on_conflict_do_nothing(
                index_elements=keys))  # fmt: skip
        if found:
            insert = upsert_insert(db.dialect, HellotextRef).values(found)
            await conn.execute(insert.on_conflict_do_update(
                index_elements=keys, set_={"remote_id": insert.excluded.remote_id, "updated_at": now}))  # fmt: skip


def _ref_row(business_id: int, key: tuple[str, str], remote_id: str | None, now: datetime) -> dict[str, Any]:
    return {"business_id": business_id, "kind": key[0], "reference": key[1], "remote_id": remote_id,
            "updated_at": now}  # fmt: skip
