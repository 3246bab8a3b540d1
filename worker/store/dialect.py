"""INSERT ... ON CONFLICT for both databases. SQLite and PostgreSQL share the syntax; SQLAlchemy needs the
dialect's own `insert` to emit it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def upsert_insert(dialect: str, table: Any) -> Any:
    """A dialect `Insert` that supports `.on_conflict_do_nothing/do_update` and `.excluded`."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"database dialect {dialect!r} is not supported (use PostgreSQL or SQLite)")
