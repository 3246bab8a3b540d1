"""The account page's "Past orders" section, from the same data as GET /api/v1/accounts/{id}/backfill."""

from __future__ import annotations

import re
from typing import Any

from worker.connect.import_view import import_section


def run(phase: str, status: str, found: int, processed: int, events: int, eta: float | None, started: bool) -> Any:
    return {
        "phase": phase, "status": status, "orders_found": found, "orders_processed": processed,
        "events_added": events, "eta_seconds": eta, "started_at": "2026-12-01T10:00:00.000Z" if started else None,
    }  # fmt: skip


def coverage(missed: int) -> dict[str, Any]:
    return {
        "events_by_origin": {"live": 12, "missed_feed": 2, "backfill": 1400},
        "historical_events": 1380,
        "notifications_by_origin": {"webhook": 40, **({"missed_feed": missed} if missed else {})},
    }


def text(html: str) -> list[str]:
    lines = (re.sub(r"<[^>]+>", "", line).strip() for line in re.split(r"</li>|</p>|\n", html))
    return [line for line in lines if line]


def test_an_import_under_way_shows_each_phase_and_where_events_came_from() -> None:
    progress = {
        "status": "running",
        "runs": [
            run("recent", "done", 310, 310, 800, 0.0, True),
            run("history", "running", 2400, 1200, 600, 130.0, True),
            run("manual", "queued", 0, 0, 0, None, False),
        ],
        "coverage": coverage(missed=3),
    }

    assert text(import_section(progress)) == [
        "Past orders",
        "Recent orders: done, 310 orders, 800 new events",
        "Older orders: importing, 1,200 of 2,400 orders, 600 new events, about 2 minutes left",
        "Requested import: waiting to start",
        "Events so far: 12 from notifications, 2 from notifications read back from missed feeds, 0 from re-syncs, "
        "1,400 from the import (1,380 from before you connected). 3 notifications Mercado Libre failed to deliver "
        "were recovered.",
        "This page updates itself every 5 seconds while the import runs.",
    ]


def test_an_import_still_counting_orders_says_so_instead_of_0_of_0() -> None:
    progress = {
        "status": "running",
        "runs": [run("recent", "running", 0, 0, 35, None, True), run("history", "running", 10, 12, 3, 5.0, True)],
        "coverage": coverage(missed=0),
    }

    assert text(import_section(progress))[1:3] == [
        "Recent orders: importing, counting orders, 35 new events",
        "Older orders: importing, 12 of 12 orders, 3 new events, less than a minute left",
    ]


def test_a_parked_import_says_it_waits_for_the_seller_and_no_import_says_so() -> None:
    parked = {
        "status": "parked",
        "runs": [run("recent", "parked", 50, 20, 5, 30.0, True)],
        "coverage": coverage(missed=0),
    }
    nothing = {"status": "none", "runs": [], "coverage": coverage(missed=0)}

    assert (
        text(import_section(parked))[1]
        == "Recent orders: paused until the seller is reconnected, 20 of 50 orders, 5 new events"
    )
    assert text(import_section(nothing))[:2] == ["Past orders", "No import of past orders has run for this seller."]
