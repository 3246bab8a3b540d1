"""Tables of delivery to Hellotext: each business's Hellotext settings, the outbox (one delivery per stored
event, written in the event's transaction), and the Hellotext ids of what we created there."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from worker.store.models import _time

DEFAULT_HISTORY_DAYS = 90


class HellotextStatus(StrEnum):
    ACTIVE = "active"
    AUTH_FAILED = "hellotext_auth_failed"  # Hellotext answered 401: nothing is sent until the token is replaced


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waits for the relay (now, or at `due_at` after a failure)
    DELIVERED = "delivered"  # Hellotext answered `received`
    REVIEW = "review"  # Hellotext refused it, or it failed for about a day: a person decides (retry or skip)
    SKIPPED = "skipped"  # not sent: imported history outside the business's history setting, or skipped by hand


class HellotextSettings(SQLModel, table=True):
    """A business's Hellotext connection. Events tracked since `connected_at` (the first token) are always sent;
    older ones (history) only when tracked at most `history_days` before it (NULL: all history, 0: none)."""

    __tablename__ = "hellotext_settings"

    business_id: int = Field(foreign_key="business.id", primary_key=True)
    token_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default=HellotextStatus.ACTIVE.value, max_length=30)
    paused: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    history_days: int | None = Field(default=DEFAULT_HISTORY_DAYS)
    connected_at: datetime = _time()
    retry_at: datetime | None = _time(nullable=True)  # a 429 asked the whole lane to wait until then
    resting_since: datetime | None = _time(nullable=True)  # Hellotext looked unwell from then until events got through
    updated_at: datetime = _time()


class Delivery(SQLModel, table=True):
    """The outbox: one row per stored event. `uncertain`: an event was sent and its answer lost."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_lane", "business_id", "status", "due_at"),
        Index("ix_delivery_open", "status", "business_id", "created_at"),  # /metrics reads only open deliveries
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    event_id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"),
            ForeignKey("event.id", ondelete="CASCADE"),  # a deleted event has nothing left to deliver
            nullable=False,
            unique=True,
        )
    )
    business_id: int = Field(foreign_key="business.id")
    status: str = Field(default=DeliveryStatus.PENDING.value, max_length=12)
    attempts: int = Field(default=0)
    uncertain: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    due_at: datetime = _time()
    first_failed_at: datetime | None = _time(nullable=True)
    last_status: int | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _time()
    delivered_at: datetime | None = _time(nullable=True)


class HellotextRef(SQLModel, table=True):
    """The Hellotext id of a property, profile, product or order we created for a business, by our reference.
    A row without `remote_id` says a create was sent whose answer is unknown: find it before creating again."""

    __tablename__ = "hellotext_ref"
    __table_args__ = (UniqueConstraint("business_id", "kind", "reference", name="uq_hellotext_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    kind: str = Field(max_length=10)
    reference: str = Field(max_length=200)
    remote_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = _time()
