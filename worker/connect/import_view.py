"""The account page's "Past orders" section: import progress and where the seller's events came from, drawn
from the same plain data as `GET /api/v1/accounts/{id}/backfill` (`worker.backfill.progress.backfill_json`)."""

from __future__ import annotations

from html import escape
from typing import Any

from worker.connect.pages import Safe

OPEN = ("queued", "running", "parked")
PHASES = {"recent": "Recent orders", "history": "Older orders", "manual": "Requested import"}
STATES = {
    "queued": "importing",  # between two slices of work; "waiting to start" before the first
    "running": "importing",
    "parked": "paused until the seller is reconnected",
    "done": "done",
    "failed": "stopped",
}


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    return ", less than a minute left" if minutes < 1 else f", about {minutes} minute{'s' * (minutes != 1)} left"


def _phase(run: dict[str, Any]) -> str:
    label = PHASES.get(run["phase"], run["phase"])
    found, done = run["orders_found"], run["orders_processed"]
    if run["status"] == "queued" and run["started_at"] is None:
        return f"<li><strong>{escape(label)}</strong>: waiting to start</li>"
    state = STATES.get(run["status"], run["status"])
    moving = run["status"] in OPEN
    orders = f"{done:,} of {found:,} orders" if moving else f"{done:,} orders"
    events = f"{run['events_added']:,} new events"
    eta = _eta(run["eta_seconds"]) if moving and run["status"] != "parked" else ""
    return f"<li><strong>{escape(label)}</strong>: {escape(state)}, {orders}, {events}{escape(eta)}</li>"


def _coverage(coverage: dict[str, Any]) -> str:
    by_origin = coverage["events_by_origin"]
    missed = coverage["notifications_by_origin"].get("missed_feed", 0)
    parts = [
        f"{by_origin.get('live', 0):,} from notifications",
        f"{by_origin.get('missed_feed', 0):,} from notifications read back from missed feeds",
        f"{by_origin.get('reconcile', 0):,} from re-syncs",
        f"{by_origin.get('backfill', 0):,} from the import "
        f"({coverage['historical_events']:,} from before you connected)",
    ]
    recovered = f" {missed:,} notifications Mercado Libre failed to deliver were recovered." if missed else ""
    return f'<p class="muted">Events so far: {", ".join(parts)}.{recovered}</p>'


def import_section(progress: dict[str, Any]) -> Safe:
    runs = progress["runs"]
    if not runs:
        items = "<p>No import of past orders has run for this seller.</p>"
    else:
        items = '<ul class="import">' + "".join(_phase(run) for run in runs) + "</ul>"
    moving = progress["status"] in ("queued", "running")
    note = '<p class="note">Reload the page to see the import move on.</p>' if moving else ""
    return Safe(f"<h2>Past orders</h2>\n{items}\n{_coverage(progress['coverage'])}{note}")
