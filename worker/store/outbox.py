"""The outbox's write side: a delivery row for each newly stored event, in the event's own transaction, so an
event is never stored without the note that it must be delivered (and no note exists without its event)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from worker.store.delivery_models import Delivery, DeliveryStatus


@cache
def _insert() -> Any:
    return insert(Delivery.__table__)  # type: ignore[attr-defined]


async def add_deliveries_in(conn: AsyncConnection, business_id: int, event_ids: Sequence[int], now: datetime) -> None:
    if not event_ids:
        return
    rows = [
        {"event_id": event_id, "business_id": business_id, "status": DeliveryStatus.PENDING.value, "attempts": 0,
         "uncertain": False, "due_at": now, "created_at": now}
        for event_id in event_ids
    ]  # fmt: skip
    await conn.execute(_insert(), rows)
