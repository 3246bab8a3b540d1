"""The read and update side of the outbound webhook outbox: the messages an endpoint may be sent now, their
outcomes, and the businesses with messages due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.webhook_models import EndpointStatus, MessageStatus, WebhookEndpoint, WebhookMessage


@dataclass(frozen=True)
class MessageWork:
    id: int
    message_id: str
    type: str
    order_key: str | None
    body: str
    attempts: int
    first_failed_at: datetime | None


def _pending() -> Any:
    return col(WebhookMessage.status) == MessageStatus.PENDING.value


async def due_messages(db: Database, endpoint_id: int, now: datetime, limit: int) -> list[MessageWork]:
    """Due messages in the order they were written, leaving out every group (an order, an account) with a
    message that waits after a failure: a group's messages arrive one after another."""
    waiting = (
        select(WebhookMessage.order_key)
        .where(col(WebhookMessage.endpoint_id) == endpoint_id, _pending(), col(WebhookMessage.due_at) > now)
        .where(col(WebhookMessage.order_key).is_not(None))
    )  # a NULL in NOT IN would leave every group out
    statement = (
        select(WebhookMessage)
        .where(col(WebhookMessage.endpoint_id) == endpoint_id, _pending(), col(WebhookMessage.due_at) <= now)
        .where(col(WebhookMessage.order_key).is_(None) | col(WebhookMessage.order_key).not_in(waiting))
        .order_by(col(WebhookMessage.id))
        .limit(limit)
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [
        MessageWork(r.id or 0, r.message_id, r.type, r.order_key, r.body, r.attempts, r.first_failed_at) for r in rows
    ]


async def set_messages(db: Database, ids: list[int], **values: Any) -> None:
    if not ids:
        return
    statement = update(WebhookMessage).where(col(WebhookMessage.id).in_(ids)).values(**values)
    async with db.connect(autocommit=True) as conn:
        await conn.execute(statement)


async def mark_delivered(db: Database, ids: list[int], statuses: dict[int, int], now: datetime) -> None:
    """One statement per answer status (almost always one: 200)."""
    for status in sorted(set(statuses.values())):
        chosen = [message_id for message_id in ids if statuses[message_id] == status]
        await set_messages(db, chosen, status=MessageStatus.DELIVERED.value, delivered_at=now, last_status=status,
                           reason=None, attempts=col(WebhookMessage.attempts) + 1)  # fmt: skip


async def webhook_lanes_due(db: Database, now: datetime, limit: int = 500) -> list[int]:
    """Businesses with a message due for an active endpoint that does not rest."""
    statement = (
        select(WebhookEndpoint.business_id)
        .distinct()
        .join(WebhookMessage, col(WebhookMessage.endpoint_id) == col(WebhookEndpoint.id))
        .where(col(WebhookEndpoint.status) == EndpointStatus.ACTIVE.value)
        .where(col(WebhookEndpoint.retry_at).is_(None) | (col(WebhookEndpoint.retry_at) <= now))
        .where(_pending(), col(WebhookMessage.due_at) <= now)
        .order_by(col(WebhookEndpoint.business_id))
        .limit(limit)
    )
    async with db.transaction() as session:
        return list((await session.exec(statement)).all())


@dataclass(frozen=True)
class OpenMessages:
    """A business's outbound webhook messages not yet done."""

    pending: int = 0
    review: int = 0
    oldest_pending: datetime | None = None  # when the oldest pending message was written


async def open_messages(db: Database) -> dict[int, OpenMessages]:
    """Per business with anything open: one grouped read of the pending and review messages (ix_webhook_message_due)."""
    statement = (
        select(
            col(WebhookMessage.business_id),
            col(WebhookMessage.status),
            func.count(),
            func.min(WebhookMessage.created_at),
        )
        .where(col(WebhookMessage.status).in_([MessageStatus.PENDING.value, MessageStatus.REVIEW.value]))
        .group_by(col(WebhookMessage.business_id), col(WebhookMessage.status))
    )
    async with db.connect() as conn:
        rows = (await conn.execute(statement)).all()
    found: dict[int, OpenMessages] = {}
    for business_id, status, count, oldest in rows:
        known = found.get(business_id, OpenMessages())
        if status == MessageStatus.PENDING.value:
            found[business_id] = OpenMessages(count, known.review, oldest)
        else:
            found[business_id] = OpenMessages(known.pending, count, known.oldest_pending)
    return found
