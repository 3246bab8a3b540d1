"""inbox rows without a foreign key to their account

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 05:10:00

The inbox is an append-only record of what ML sent, and `account_id` the result of the lookup the webhook has
just made (accounts are never deleted: a disconnected seller keeps its row). On PostgreSQL the foreign key made
every inbox row take a share lock on its seller's account row, so concurrent webhook batches of one seller met
on that row (multixacts): ~10 % of the webhook's throughput in benchmarks/intake.py. Jobs already treat a row
whose account is missing as "seller gone".
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's constraint has no name: batch mode names it by this convention to drop it.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_SQLITE_FK = "fk_notification_account_id_ml_account"
_PG_FK = "notification_account_id_fkey"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("notification", naming_convention=_NAMING) as batch_op:
            batch_op.drop_constraint(_SQLITE_FK, type_="foreignkey")
    else:
        op.drop_constraint(_PG_FK, "notification", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("notification", naming_convention=_NAMING) as batch_op:
            batch_op.create_foreign_key(_SQLITE_FK, "ml_account", ["account_id"], ["id"])
    else:
        op.create_foreign_key(_PG_FK, "notification", "ml_account", ["account_id"], ["id"])
