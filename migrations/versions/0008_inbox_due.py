"""inbox rows worked by drains: `due_at` of a pending row whose fetch failed for a while, `taken_by` of a row a
drain works on

Revision ID: 0008_inbox_due
Revises: 0007_refetch
Create Date: 2026-12-04 22:00:00

Notifications are worked per seller, in batches, by one drain at a time (worker/pipeline/drain.py). A drain takes
the rows of a batch (`taken_by` = its token) so the next batch skips them; a row whose fetch failed with a
passing error stays pending and waits until `due_at` instead of holding a job of its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import worker.store.types

revision: str = "0008_inbox_due"
down_revision: str | None = "0007_refetch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("due_at", worker.store.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("taken_by", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("taken_by")
        batch.drop_column("due_at")
