"""when a business's delivery lane began to rest (Hellotext looked unwell)

Revision ID: 0013_delivery_rest
Revises: 0012_event_tracked_at
Create Date: 2026-12-05 01:30:00

When Hellotext answers again, every delivery that failed only during the rest is due at once, however many
times it failed during a long outage; one that failed before it keeps its backoff.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import worker.store.types

revision: str = "0013_delivery_rest"
down_revision: str | None = "0012_event_tracked_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hellotext_settings") as batch:
        batch.add_column(sa.Column("resting_since", worker.store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hellotext_settings") as batch:
        batch.drop_column("resting_since")
