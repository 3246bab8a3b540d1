"""The account page's "Past orders" section: import progress and where the seller's events came from, drawn
from the same plain data as `GET /api/v1/accounts/{id}/backfill` (`worker.backfill.progress.backfill_json`)."""

from __future__ import annotations

from html import escape
from typing import Any

from worker.connect.i18n import N_, number, t
from worker.connect.pages import Safe
from worker.store.backfill_models import BackfillStatus

OPEN = (BackfillStatus.QUEUED, BackfillStatus.RUNNING, BackfillStatus.PARKED)
REFRESH_SECONDS = 5  # how often the account page reloads itself while an import runs
PHASES = {"recent": N_("Recent orders"), "history": N_("Older orders"), "manual": N_("Requested import")}
STATES = {
    BackfillStatus.QUEUED: N_("importing"),  # between two slices of work; "waiting to start" before the first
    BackfillStatus.RUNNING: N_("importing"),
    BackfillStatus.PARKED: N_("paused until the seller is reconnected"),
    BackfillStatus.DONE: N_("done"),
    BackfillStatus.FAILED: N_("stopped"),
}


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    if minutes < 1:
        return t(", less than a minute left")
    if minutes == 1:
        return t(", about 1 minute left")
    return t(", about {minutes} minutes left").format(minutes=number(minutes))


def _phase(run: dict[str, Any]) -> str:
    label = escape(t(PHASES[run["phase"]]) if run["phase"] in PHASES else run["phase"])
    done = number(run["orders_processed"])
    if run["status"] == BackfillStatus.QUEUED and run["started_at"] is None:
        waiting = t("waiting to start")
        return f"<li><strong>{label}</strong>: {escape(waiting)}</li>"
    state = t(STATES[run["status"]]) if run["status"] in STATES else run["status"]
    moving = run["status"] in OPEN
    orders = t("{done} orders").format(done=done)
    if moving and run["orders_found"] == 0:  # still counting: "0 of 0" would contradict the events arriving
        orders = t("counting orders")
    elif moving:
        found = number(max(run["orders_found"], run["orders_processed"]))
        orders = t("{done} of {found} orders").format(done=done, found=found)
    events = t("{count} new events").format(count=number(run["events_added"]))
    eta = _eta(run["eta_seconds"]) if moving and run["status"] != BackfillStatus.PARKED else ""
    return f"<li><strong>{label}</strong>: {escape(state)}, {escape(orders)}, {escape(events)}{escape(eta)}</li>"


def _coverage(coverage: dict[str, Any]) -> str:
    by_origin = coverage["events_by_origin"]
    missed = coverage["notifications_by_origin"].get("missed_feed", 0)
    parts = [
        t("{count} from notifications").format(count=number(by_origin.get("live", 0))),
        t("{count} from notifications read back from missed feeds").format(
            count=number(by_origin.get("missed_feed", 0))
        ),
        t("{count} from re-syncs").format(count=number(by_origin.get("reconcile", 0))),
        t("{count} from the import ({historical} from before you connected)").format(
            count=number(by_origin.get("backfill", 0)), historical=number(coverage["historical_events"])
        ),
    ]
    recovered = (
        " " + t("{count} notifications Mercado Libre failed to deliver were recovered.").format(count=number(missed))
        if missed
        else ""
    )
    text = t("Events so far: {parts}.").format(parts=", ".join(parts)) + recovered
    return f'<p class="muted">{escape(text)}</p>'


def importing(progress: dict[str, Any]) -> bool:
    """Whether the import still moves (the account page then refreshes itself)."""
    return bool(progress["status"] in (BackfillStatus.QUEUED, BackfillStatus.RUNNING))


def import_section(progress: dict[str, Any]) -> Safe:
    runs = progress["runs"]
    if not runs:
        none_ran = t("No import of past orders has run for this seller.")
        items = f"<p>{escape(none_ran)}</p>"
    else:
        items = '<ul class="import">' + "".join(_phase(run) for run in runs) + "</ul>"
    note = ""
    if importing(progress):
        updates = t("This page updates itself every {seconds} seconds while the import runs.")
        note = f'<p class="note">{escape(updates.format(seconds=REFRESH_SECONDS))}</p>'

    heading = t("Past orders")
    return Safe(f"<h2>{escape(heading)}</h2>\n{items}\n{_coverage(progress['coverage'])}{note}")
