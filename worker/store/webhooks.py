"""A business's outbound webhook endpoints: the URL and its signing secret (encrypted at rest with the ML
tokens' cipher, shown once when the endpoint is made), whether it still receives, and when it may be tried
again after a round in which nothing got through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from worker.clock import utcnow
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.events import iso_z
from worker.store.webhook_models import EndpointStatus, MessageStatus, WebhookEndpoint, WebhookMessage


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    status: str
    reason: str | None
    created_at: datetime
    messages: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """Everything but the secret."""
        return {"id": self.id, "url": self.url, "status": self.status, "reason": self.reason,
                "created_at": iso_z(self.created_at), "messages": self.messages}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """An active endpoint as the sender needs it, with its secret in clear (never logged)."""

    id: int
    business_id: int
    url: str
    secret: str
    retry_at: datetime | None


async def add_endpoint(db: Database, cipher: TokenCipher, business_id: int, url: str, secret: str) -> EndpointView:
    now = utcnow()
    row = WebhookEndpoint(business_id=business_id, url=url, secret_enc=cipher.encrypt(secret), created_at=now,
                          updated_at=now)  # fmt: skip
    async with db.transaction() as session:
        session.add(row)
        await session.flush()
        assert row.id is not None
        return EndpointView(row.id, row.url, row.status, row.reason, row.created_at, {})


async def list_endpoints(db: Database, business_id: int) -> list[EndpointView]:
    counts = (
        select(WebhookMessage.endpoint_id, WebhookMessage.status, func.count())
        .where(col(WebhookMessage.business_id) == business_id)
        .group_by(col(WebhookMessage.endpoint_id), col(WebhookMessage.status))
    )
    rows = select(WebhookEndpoint).where(col(WebhookEndpoint.business_id) == business_id)
    async with db.transaction() as session:
        found: dict[int, dict[str, int]] = {}
        for endpoint_id, status, count in (await session.exec(counts)).all():
            found.setdefault(endpoint_id, {})[status] = count
        endpoints = (await session.exec(rows.order_by(col(WebhookEndpoint.id)))).all()
    return [
        EndpointView(e.id or 0, e.url, e.status, e.reason, e.created_at, found.get(e.id or 0, {})) for e in endpoints
    ]


async def remove_endpoint(db: Database, business_id: int, endpoint_id: int) -> bool:
    """The endpoint and its messages; False when the business has no such endpoint."""
    mine = (col(WebhookEndpoint.id) == endpoint_id) & (col(WebhookEndpoint.business_id) == business_id)
    async with db.transaction() as session:
        if (await session.exec(select(WebhookEndpoint.id).where(mine))).first() is None:
            return False
        await session.exec(delete(WebhookMessage).where(col(WebhookMessage.endpoint_id) == endpoint_id))
        await session.exec(delete(WebhookEndpoint).where(mine))
    return True


async def active_endpoints(db: Database, cipher: TokenCipher, business_id: int) -> list[Endpoint]:
    statement = (
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.business_id) == business_id)
        .where(col(WebhookEndpoint.status) == EndpointStatus.ACTIVE.value)
        .order_by(col(WebhookEndpoint.id))
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [Endpoint(r.id or 0, r.business_id, r.url, cipher.decrypt(r.secret_enc), r.retry_at) for r in rows]


async def update_endpoint(db: Database, endpoint_id: int, **values: Any) -> None:
    """E.g. `status=disabled` after a 410, `retry_at` after a round in which nothing got through."""
    statement = (
        update(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id).values(**values, updated_at=utcnow())
    )
    async with db.transaction() as session:
        await session.exec(statement)


async def resume_endpoint(db: Database, business_id: int, endpoint_id: int, now: datetime) -> int | None:
    """Make the endpoint active again (after a 410) and its messages in review due now, from a fresh budget;
    returns how many messages, None when the business has no such endpoint."""
    mine = (col(WebhookEndpoint.id) == endpoint_id) & (col(WebhookEndpoint.business_id) == business_id)
    review = (col(WebhookMessage.endpoint_id) == endpoint_id) & (
        col(WebhookMessage.status) == MessageStatus.REVIEW.value
    )
    again = {"status": MessageStatus.PENDING.value, "due_at": now, "attempts": 0, "first_failed_at": None}
    async with db.transaction() as session:
        active = {"status": EndpointStatus.ACTIVE.value, "reason": None, "retry_at": None, "updated_at": now}
        if not (await session.exec(update(WebhookEndpoint).where(mine).values(active))).rowcount:
            return None
        return int((await session.exec(update(WebhookMessage).where(review).values(again))).rowcount or 0)
