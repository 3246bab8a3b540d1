"""A business's events in tracked_at order are read along an index, never sorted whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from worker.store.db import open_database
from worker.store.event_queries import EventFilter, Position, read_event_page


async def test_sort_by_tracked_at_reads_the_business_tracked_at_index(migrated_urls: dict[str, str]) -> None:
    db = open_database(migrated_urls["sqlite"])
    seen: list[tuple[str, Any]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: Any, *rest: object) -> None:
        if "FROM event" in statement:
            seen.append((statement, parameters))

    try:
        event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
        start = Position(tracked_at=datetime(2026, 3, 1, tzinfo=UTC), point_id=7)
        only = EventFilter(tracked_since=datetime(2026, 1, 1, tzinfo=UTC))
        await read_event_page(db, 1, only, start, 50, by_time=True)
        event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
        [(statement, parameters)] = seen
        async with db.connect() as conn:
            plan = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
    finally:
        await db.close()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "ix_event_business_tracked_at" in details, details
    assert "TEMP B-TREE FOR ORDER BY" not in details, details
