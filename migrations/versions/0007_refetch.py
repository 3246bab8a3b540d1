"""orders to fetch again: a related document was missing or still changing

Revision ID: 0007_refetch
Revises: 0006_security
Create Date: 2026-12-04 20:00:00

One row per (account, order) whose last sync lacked a document the mapping needs (a 404/403 or unreadable
shipment, payment or claims page; a refund still in process). The refetch job syncs the order again with
growing pauses; `resolved_at` is set once nothing is missing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worker.store.types import UTCDateTime

revision: str = "0007_refetch"
down_revision: str | None = "0006_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refetch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("ml_account.id"), nullable=False),
        sa.Column("order_ref", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("account_id", "order_ref", name="uq_refetch_order"),
    )
    op.create_index("ix_refetch_due", "refetch", ["resolved_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_refetch_due", table_name="refetch")
    op.drop_table("refetch")
