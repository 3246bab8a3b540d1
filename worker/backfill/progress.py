"""Backfill progress and coverage as plain data: for `GET /api/v1/accounts/{id}/backfill`, the account
pages and `meli backfill`'s progress bar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from worker.clock import utcnow
from worker.store.backfills import OPEN_STATUSES, account_runs, coverage, window_counts
from worker.store.db import Database
from worker.store.events import iso_z
from worker.store.models import BackfillRun, MlAccount, WindowStatus


def _iso(moment: datetime | None) -> str | None:
    return iso_z(moment) if moment is not None else None


def rate_and_eta(run: BackfillRun, now: datetime) -> tuple[float | None, float | None]:
    """Orders per second since the run started, and the seconds left at that rate (None when unknown)."""
    processed = run.orders_done + run.orders_failed
    if run.started_at is None or processed == 0:
        return None, None
    end = run.finished_at or (run.updated_at if run.status not in OPEN_STATUSES else now)
    seconds = max((end - run.started_at).total_seconds(), 1e-3)
    rate = processed / seconds
    left = max(run.orders_found - processed, 0)
    return round(rate, 2), (round(left / rate, 1) if run.status in OPEN_STATUSES else 0.0)


def run_json(run: BackfillRun, windows: dict[str, int], now: datetime) -> dict[str, Any]:
    rate, eta = rate_and_eta(run, now)
    processed = run.orders_done + run.orders_failed
    return {
        "id": run.id,
        "phase": run.phase,
        "status": run.status,
        "since": _iso(run.since),
        "until": _iso(run.until),
        "orders_found": run.orders_found,
        "orders_processed": processed,
        "orders_failed": run.orders_failed,
        "events_added": run.events_added,
        "api_calls": run.api_calls,
        "api_calls_per_order": round(run.api_calls / processed, 2) if processed else None,
        "windows": {
            status.value: windows.get(status.value, 0)
            for status in (WindowStatus.PENDING, WindowStatus.DONE, WindowStatus.SPLIT)
        },
        "orders_per_second": rate,
        "eta_seconds": eta,
        "reason": run.reason,
        "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at),
        "updated_at": _iso(run.updated_at),
        "finished_at": _iso(run.finished_at),
    }


def overall_status(runs: list[BackfillRun]) -> str:
    """`none` before any run; else the state of the first unfinished run, or of the last run."""
    for run in runs:
        if run.status in OPEN_STATUSES:
            return run.status
    return runs[-1].status if runs else "none"


async def backfill_json(db: Database, account: MlAccount) -> dict[str, Any]:
    assert account.id is not None
    now = utcnow()
    runs = await account_runs(db, account.id)
    phases = [run_json(run, await window_counts(db, run.id), now) for run in runs if run.id is not None]
    seen = await coverage(db, account)
    return {
        "account_id": account.id,
        "seller_id": account.seller_id,
        "account_status": account.status,
        "status": overall_status(runs),
        "runs": phases,
        "coverage": {
            "events_by_origin": seen.events_by_origin,
            "historical_events": seen.historical_events,
            "notifications_by_origin": seen.notifications_by_origin,
        },
    }
