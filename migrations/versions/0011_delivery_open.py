"""an index of the deliveries still open (pending or in review) by status, business and stored time

Revision ID: 0011_delivery_open
Revises: 0010_first_connected
Create Date: 2026-12-04 23:10:00

/metrics reads each business's backlog, the age of its oldest pending delivery and its review queue at scrape
time; with this index that read visits only the open deliveries, never the delivered ones.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_delivery_open"
down_revision: str | None = "0010_first_connected"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_delivery_open", "delivery", ["status", "business_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_open", table_name="delivery")
