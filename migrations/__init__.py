"""Alembic migrations of the event store (shipped inside the package so `meli migrate` finds them)."""
