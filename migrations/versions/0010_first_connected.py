"""accounts keep the date they were first connected: `ml_account.first_connected_at`

Revision ID: 0010_first_connected
Revises: 0009_delivery
Create Date: 2026-12-04 23:30:00

`connected_at` moves on each reconnect (the import counts events before it as history). The account page's
"Connected since" shows `first_connected_at`, which a reconnect leaves alone. Accounts stored before this
revision get their `connected_at`, the earliest date we still know.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import worker.store.types

revision: str = "0010_first_connected"
down_revision: str | None = "0009_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "ml_account", sa.Column("first_connected_at", worker.store.types.UTCDateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE ml_account SET first_connected_at = connected_at")


def downgrade() -> None:
    op.drop_column("ml_account", "first_connected_at")
