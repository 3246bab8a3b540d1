"""outbound webhooks: each business's endpoints and their outbox

Revision ID: 0014_webhooks
Revises: 0013_delivery_rest
Create Date: 2026-12-05 02:00:00

`webhook_endpoint` holds a business's receiving URLs and their signing secrets (encrypted like ML tokens).
`webhook_message` is their outbox: one message per endpoint, written in the transaction of the event or account
change it tells of, with the `webhook-id` every attempt repeats and the exact body that is signed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worker.store.types import UTCDateTime

revision: str = "0014_webhooks"
down_revision: str | None = "0013_delivery_rest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("business.id"), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("retry_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_endpoint_business", "webhook_endpoint", ["business_id", "status"])
    op.create_table(
        "webhook_message",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "endpoint_id", sa.Integer(), sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("business.id"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("order_key", sa.String(length=60), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("endpoint_id", "message_id", name="uq_webhook_message"),
    )
    op.create_index("ix_webhook_message_lane", "webhook_message", ["endpoint_id", "status", "due_at"])
    op.create_index("ix_webhook_message_due", "webhook_message", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("webhook_message")
    op.drop_table("webhook_endpoint")
