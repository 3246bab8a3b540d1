"""Tables of outbound webhooks: each business's endpoints (URL and signing secret, encrypted at rest) and their
outbox (one message per endpoint, written in the transaction of the event or account change it tells of)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from worker.store.models import _time


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # the receiver answered 410 Gone: nothing more is sent to it


class MessageStatus(StrEnum):
    PENDING = "pending"  # waits for the sender (now, or at `due_at` after a failure)
    DELIVERED = "delivered"  # the receiver answered 2xx
    REVIEW = "review"  # failed for about a day: a person decides


class WebhookEndpoint(SQLModel, table=True):
    """A URL of a business that receives signed messages. `retry_at`: the endpoint rests after a round in which
    nothing got through."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_business", "business_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    url: str = Field(max_length=2000)
    secret_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default=EndpointStatus.ACTIVE.value, max_length=12)
    reason: str | None = Field(default=None, max_length=200)
    retry_at: datetime | None = _time(nullable=True)
    created_at: datetime = _time()
    updated_at: datetime = _time()


class WebhookMessage(SQLModel, table=True):
    """The outbox of outbound webhooks: one message for one endpoint. `message_id` is the `webhook-id` header,
    the same on every attempt; `body` is the JSON sent, byte for byte; `order_key` groups the messages that are
    sent one after another (an order's events, an account's changes)."""

    __tablename__ = "webhook_message"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_id", name="uq_webhook_message"),
        Index("ix_webhook_message_lane", "endpoint_id", "status", "due_at"),
        Index("ix_webhook_message_due", "status", "due_at"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    endpoint_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False)
    )
    business_id: int = Field(foreign_key="business.id")
    message_id: str = Field(max_length=64)
    type: str = Field(max_length=40)
    order_key: str | None = Field(default=None, max_length=60)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=MessageStatus.PENDING.value, max_length=12)
    attempts: int = Field(default=0)
    due_at: datetime = _time()
    first_failed_at: datetime | None = _time(nullable=True)
    last_status: int | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _time()
    delivered_at: datetime | None = _time(nullable=True)
