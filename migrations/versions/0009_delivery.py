"""delivery to Hellotext: per-business settings, the outbox, and the Hellotext ids of what we created

Revision ID: 0009_delivery
Revises: 0008_inbox_due
Create Date: 2026-12-04 23:00:00

`hellotext_settings` holds a business's private Hellotext token (encrypted like ML tokens), whether delivery is
paused or waits for a new token, and how much history to send. `delivery` is the outbox: a row per event,
written in the same transaction as the event (and here for the events stored before). `hellotext_ref` keeps
the ids Hellotext returned, so a profile, product or order is created once. History that predates a
business's Hellotext connection is sent as its history setting says (default: 90 days).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worker.store.types import UTCDateTime

revision: str = "0009_delivery"
down_revision: str | None = "0008_inbox_due"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hellotext_settings",
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("business.id"), primary_key=True),
        sa.Column("token_enc", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("history_days", sa.Integer(), nullable=True),
        sa.Column("connected_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("retry_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "delivery",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", BIG_ID, sa.ForeignKey("event.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("business.id"), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_delivery_lane", "delivery", ["business_id", "status", "due_at"])
    op.execute(
        "INSERT INTO delivery (event_id, business_id, status, attempts, uncertain, due_at, created_at) "
        "SELECT id, business_id, 'pending', 0, FALSE, recorded_at, recorded_at FROM event"
    )
    op.create_table(
        "hellotext_ref",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("business.id"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("business_id", "kind", "reference", name="uq_hellotext_ref"),
    )


def downgrade() -> None:
    op.drop_table("hellotext_ref")
    op.drop_index("ix_delivery_lane", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("hellotext_settings")
