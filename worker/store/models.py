"""Tables of the event store (SQLModel). The Alembic migrations in migrations/ create exactly these."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from worker.store.types import Money, UTCDateTime


def _time(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, **kwargs))


def _money() -> Any:
    return Field(default=None, sa_column=Column(Money(), nullable=True))


def _json(nullable: bool = False) -> Any:
    return Field(default=None if nullable else {}, sa_column=Column(JSON, nullable=nullable))


class AccountStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"


class Business(SQLModel, table=True):
    """A merchant of ours."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    api_key_hash: str = Field(max_length=64, unique=True)
    # Mixed into the keys that sign this business's sessions and CSRF tokens: a new salt revokes them all.
    signing_salt: str = Field(max_length=64)
    created_at: datetime = _time()


class ConnectLinkRow(SQLModel, table=True):
    """A connect or owner link (`kind`, see `worker.store.links`). The URL carries a random token; only its hash
    is stored."""

    __tablename__ = "connect_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    kind: str = Field(max_length=10)
    site_id: str | None = Field(default=None, max_length=3)
    created_at: datetime = _time()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)
    revoked_at: datetime | None = _time(nullable=True)


LIVE_ACCOUNT = text("status != 'disconnected'")


class MlAccount(SQLModel, table=True):
    """A seller's connection to a business. A seller has at most one live (not disconnected) account; its
    disconnected accounts stay with the businesses they served, with their history."""

    __tablename__ = "ml_account"
    __table_args__ = (
        Index("ix_ml_account_seller_id", "seller_id"),
        Index("uq_ml_account_live_seller", "seller_id", unique=True,
              sqlite_where=LIVE_ACCOUNT, postgresql_where=LIVE_ACCOUNT),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    seller_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    site_id: str = Field(max_length=3)
    nickname: str = Field(max_length=200)
    status: str = Field(default=AccountStatus.ACTIVE.value, max_length=20)
    created_at: datetime = _time()
    updated_at: datetime = _time()
    connected_at: datetime = _time()  # the latest (re)connection
    first_connected_at: datetime | None = _time(nullable=True)  # the first one, kept across reconnects


class OAuthToken(SQLModel, table=True):
    """Tokens of one account, encrypted at rest. `version` guards concurrent refreshes."""

    __tablename__ = "oauth_token"

    account_id: int = Field(foreign_key="ml_account.id", primary_key=True)
    access_token_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    refresh_token_enc: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    expires_at: datetime = _time()
    scope: str = Field(default="", max_length=200)
    version: int = Field(default=1)
    updated_at: datetime = _time()


class SubscriberRow(SQLModel, table=True):
    """The customer profile events point to."""

    __tablename__ = "subscriber"
    __table_args__ = (UniqueConstraint("business_id", "source", "external_id", name="uq_subscriber_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    source: str = Field(max_length=30)
    external_id: str = Field(max_length=64)
    nickname: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    created_at: datetime = _time()
    updated_at: datetime = _time()


class OrderObject(SQLModel, table=True):
    """The latest snapshot of an order; events point to it."""

    __tablename__ = "order_object"
    __table_args__ = (UniqueConstraint("business_id", "source", "reference", name="uq_order_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    source: str = Field(max_length=30)
    reference: str = Field(max_length=64)
    pack_id: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=40)
    currency: str | None = Field(default=None, max_length=3)
    total_amount: Decimal | None = _money()
    paid_amount: Decimal | None = _money()
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shipment_id: str | None = Field(default=None, max_length=64, index=True)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id")
    source_created_at: datetime | None = _time(nullable=True)
    source_updated_at: datetime | None = _time(nullable=True)
    raw: dict[str, Any] = _json()
    updated_at: datetime = _time()


class EventRow(SQLModel, table=True):
    """A tracked action. (business, `dedupe_key`) makes each real transition land once per business."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_business_id_id", "business_id", "id"),
        Index("ix_event_business_tracked_at", "business_id", "tracked_at", "id"),  # sort=tracked_at pages
        UniqueConstraint("business_id", "dedupe_key", name="uq_event_dedupe"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    action: str = Field(max_length=60)
    business_id: int = Field(foreign_key="business.id")
    subscriber_id: int = Field(foreign_key="subscriber.id")
    order_object_id: int | None = Field(default=None, foreign_key="order_object.id")
    tracked_at: datetime = _time()
    amount: Decimal | None = _money()
    currency: str | None = Field(default=None, max_length=3)
    properties: dict[str, Any] = _json()
    source: str = Field(max_length=30)
    origin: str = Field(max_length=20)
    dedupe_key: str = Field(max_length=200)
    recorded_at: datetime = _time()


class InboxStatus(StrEnum):
    PENDING = "pending"  # recorded, not processed yet (a job is queued or the sweeper will queue one)
    DONE = "done"  # fetched and mapped (or covered by a fetch that started after it arrived)
    IGNORED = "ignored"  # acknowledged only: topic we do not process, unknown or disconnected seller
    PARKED = "parked"  # waits for the seller to reconnect (tokens revoked)
    FAILED = "failed"  # gave up; `reason` says why
    THROTTLED = "throttled"  # over the seller's intake budget, or under suspicion: a catch-up re-sync covers it


class InboxRow(SQLModel, table=True):
    """Every notification we answered 200 to, recorded before answering: the durable inbox."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_resource", "account_id", "kind", "resource_id", "id"),
        Index("ix_notification_status_id", "status", "id"),
        Index("ix_notification_notification_id", "notification_id"),  # missed-feeds dedupe looks ids up
        Index("ix_notification_account_status", "account_id", "status", "id"),  # per-seller pending and throttled
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    received_at: datetime = _time()
    topic: str = Field(max_length=60)
    resource: str = Field(max_length=300)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    notification_id: str | None = Field(default=None, max_length=64)
    account_id: int | None = None  # the seller's account; no foreign key (migration 0005 says why)
    kind: str | None = Field(default=None, max_length=20)
    resource_id: str | None = Field(default=None, max_length=32)
    origin: str = Field(default="webhook", max_length=20)
    status: str = Field(max_length=10)
    reason: str | None = Field(default=None, max_length=500)
    attempts: int = Field(default=0)
    # ML calls on this row's behalf that failed (5xx, 429, timeouts), client retries and job tries together
    ml_failures: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    body: dict[str, Any] = _json()
    body_sha256: str | None = Field(default=None, max_length=64)  # rows that keep no body keep its hash
    processed_at: datetime | None = _time(nullable=True)
    due_at: datetime | None = _time(nullable=True)  # a pending row whose fetch failed waits until then
    taken_by: str | None = Field(default=None, max_length=16)  # the drain working on it (worker/pipeline/drain.py)


class DocumentRow(SQLModel, table=True):
    """The latest raw ML document of each kind and id we fetched: lets a mapping fix be replayed offline and
    `meli explain` show what we saw."""

    __tablename__ = "ml_document"
    __table_args__ = (UniqueConstraint("account_id", "kind", "ref", name="uq_ml_document"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="ml_account.id")
    kind: str = Field(max_length=20)
    ref: str = Field(max_length=32)
    order_ref: str | None = Field(default=None, max_length=32, index=True)
    raw: Any = Field(default=None, sa_column=Column(JSON, nullable=False))
    fetched_at: datetime = _time()


class RefetchRow(SQLModel, table=True):
    """An order whose mapping lacked a document (unreadable, or still changing): it is fetched again later, with
    growing pauses, until nothing is missing (`resolved_at`) or the attempts run out (`reason` stays)."""

    __tablename__ = "refetch"
    __table_args__ = (
        UniqueConstraint("account_id", "order_ref", name="uq_refetch_order"),
        Index("ix_refetch_due", "resolved_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="ml_account.id")
    order_ref: str = Field(max_length=32)
    reason: str = Field(max_length=500)
    attempts: int = Field(default=1)
    created_at: datetime = _time()
    next_attempt_at: datetime = _time()
    resolved_at: datetime | None = _time(nullable=True)


# Tables of other parts, in modules of their own; importing them here registers them with the metadata.
import worker.store.delivery_models  # noqa: E402 - registers the delivery tables
import worker.store.webhook_models  # noqa: E402, F401 - registers the outbound webhook tables
from worker.store.backfill_models import BackfillRun as BackfillRun  # noqa: E402
from worker.store.backfill_models import BackfillStatus as BackfillStatus  # noqa: E402
from worker.store.backfill_models import BackfillWindow as BackfillWindow  # noqa: E402
from worker.store.backfill_models import WindowStatus as WindowStatus  # noqa: E402
