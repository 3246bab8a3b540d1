"""security: stored connect links, per-business signing salts, one live account per seller, lean inbox rows

Revision ID: 0006_security
Revises: 0005
Create Date: 2026-12-04 10:00:00

* `connect_link`: connect and owner links are rows (the URL carries a random token, the row its hash), so a
  link can be single-use, revoked, and listed.
* `business.signing_salt`: mixed into the keys that sign a business's sessions and CSRF tokens; a new salt
  revokes them all. Existing businesses get a random one here.
* `ml_account.seller_id` is no longer unique: a seller has at most one live (not disconnected) account (a
  partial unique index), and a disconnected seller may connect to another business with a new account while
  the old one keeps the old business's history.
* `notification.ml_failures` (the attempt budget of a row) and `notification.body_sha256` (rows that keep no
  body keep its hash), and an index for the per-seller pending and throttled counts.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import worker.store.types

revision: str = "0006_security"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's unique constraint on ml_account.seller_id has no name: batch mode names it by this convention.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_SQLITE_UNIQUE = "uq_ml_account_seller_id"
_PG_UNIQUE = "ml_account_seller_id_key"
_LIVE = sa.text("status != 'disconnected'")


def _connect_link() -> None:
    op.create_table(
        "connect_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.String(length=3), nullable=True),
        sa.Column("created_at", worker.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", worker.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", worker.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", worker.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("connect_link") as batch_op:
        batch_op.create_index("ix_connect_link_business_id", ["business_id"], unique=False)


def _signing_salts() -> None:
    with op.batch_alter_table("business") as batch_op:
        batch_op.add_column(sa.Column("signing_salt", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    business = sa.table("business", sa.column("id", sa.Integer()), sa.column("signing_salt", sa.String()))
    for (business_id,) in bind.execute(sa.select(business.c.id)).all():
        salt = secrets.token_hex(16)
        bind.execute(business.update().where(business.c.id == business_id).values(signing_salt=salt))
    with op.batch_alter_table("business") as batch_op:
        batch_op.alter_column("signing_salt", existing_type=sa.String(length=64), nullable=False)


def _live_seller() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("ml_account", naming_convention=_NAMING) as batch_op:
            batch_op.drop_constraint(_SQLITE_UNIQUE, type_="unique")
    else:
        op.drop_constraint(_PG_UNIQUE, "ml_account", type_="unique")
    op.create_index("ix_ml_account_seller_id", "ml_account", ["seller_id"], unique=False)
    op.create_index(
        "uq_ml_account_live_seller", "ml_account", ["seller_id"], unique=True, sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )  # fmt: skip


def _inbox() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("ml_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))
    op.create_index("ix_notification_account_status", "notification", ["account_id", "status", "id"], unique=False)


def upgrade() -> None:
    _connect_link()
    _signing_salts()
    _live_seller()
    _inbox()


def downgrade() -> None:
    op.drop_index("ix_notification_account_status", table_name="notification")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("body_sha256")
        batch_op.drop_column("ml_failures")
    op.drop_index("uq_ml_account_live_seller", table_name="ml_account")
    op.drop_index("ix_ml_account_seller_id", table_name="ml_account")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("ml_account", naming_convention=_NAMING) as batch_op:
            batch_op.create_unique_constraint(_SQLITE_UNIQUE, ["seller_id"])
    else:
        op.create_unique_constraint(_PG_UNIQUE, "ml_account", ["seller_id"])
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_column("signing_salt")
    op.drop_index("ix_connect_link_business_id", table_name="connect_link")
    op.drop_table("connect_link")
