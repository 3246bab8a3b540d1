"""an index of each business's events by the time they happened

Revision ID: 0012_event_tracked_at
Revises: 0011_delivery_open
Create Date: 2026-12-05 01:00:00

The business API's `sort=tracked_at` pages and its tracked_at range filters read a business's events in
(tracked_at, id) order; with this index a page is an index range scan instead of a sort of every event.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_event_tracked_at"
down_revision: str | None = "0011_delivery_open"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_event_business_tracked_at", "event", ["business_id", "tracked_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_event_business_tracked_at", table_name="event")
