"""Driving a backfill from a terminal: `drive` runs an account's open runs in this process, slice after slice,
and `ProgressView` shows each run as a rich progress bar (orders processed of found, events, rate, ETA).

The rate and ETA are those of this session (a resumed run does not count its pause). When a worker already
works on the account, `drive` does not compete with it: it follows the run's progress until it finishes.
"""

from __future__ import annotations

import asyncio
import time
from enum import StrEnum
from types import TracebackType
from typing import Any, Final

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from connectors.errors import MeliError
from worker.backfill.lane import Bulk, account_lock
from worker.backfill.runner import Outcome, run_slice
from worker.store.backfills import OPEN_STATUSES, account_runs, open_runs
from worker.store.db import Database
from worker.store.models import BackfillRun, BackfillStatus, MlAccount

POLL_SECONDS: Final = 0.5


class Parked(MeliError):
    """The seller's token was revoked: the backfill waits for a reconnect."""


class Drove(StrEnum):
    DONE = "done"  # worked the account's open runs to the end here
    JOINED = "joined"  # followed another runner's work until it ended


async def drive(bulk: Bulk, account: MlAccount) -> Drove:
    """Work the account's open runs to the end here, or follow another runner's work."""
    assert account.id is not None
    loop = asyncio.get_running_loop()
    async with account_lock(bulk, account.id) as lock:
        if lock is None:
            await _until_settled(bulk.db, account.id)
            return Drove.JOINED
        while True:
            result = await run_slice(bulk, account, loop.time() + bulk.config.backfill_slice_seconds)
            if result.outcome is Outcome.IDLE:
                break
            if result.outcome is Outcome.PARKED:
                raise Parked(f"seller {account.seller_id} must reconnect: the backfill is parked and resumes after")
            if result.outcome is Outcome.RETRY:
                await asyncio.sleep(result.defer)
    if await open_runs(bulk.db, account.id):  # parked while another runner followed
        raise Parked(f"seller {account.seller_id} must reconnect: the backfill is parked and resumes after")
    return Drove.DONE


async def _until_settled(db: Database, account_id: int) -> None:
    """Wait while another runner works: until no run of the account is left but parked ones."""
    while any(run.status != BackfillStatus.PARKED for run in await open_runs(db, account_id)):  # noqa: ASYNC110 - polls the DB
        await asyncio.sleep(POLL_SECONDS)


class ProgressView:
    """One progress bar per run of the account (phases and manual runs), refreshed from the database."""

    def __init__(self, console: Console, run_ids: list[int]) -> None:
        self.run_ids = set(run_ids)
        self.progress = Progress(
            TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("orders · {task.fields[events]} events · {task.fields[rate]} · {task.fields[eta]}"),
            console=console,
        )  # fmt: skip
        self.tasks: dict[int, TaskID] = {}
        self.started: dict[int, tuple[float, int]] = {}  # run id → (monotonic, orders processed) when first seen

    def __enter__(self) -> ProgressView:
        self.progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.progress.stop()

    async def follow(self, db: Database, account_id: int) -> None:
        while True:
            await self.refresh(db, account_id)
            await asyncio.sleep(POLL_SECONDS)

    async def refresh(self, db: Database, account_id: int) -> list[BackfillRun]:
        runs = [run for run in await account_runs(db, account_id) if run.id in self.run_ids]
        for run in runs:
            self._show(run)
        return runs

    def _show(self, run: BackfillRun) -> None:
        assert run.id is not None
        processed = run.orders_done + run.orders_failed
        now = time.monotonic()
        first_at, first_count = self.started.setdefault(run.id, (now, processed))
        rate = (processed - first_count) / (now - first_at) if now - first_at > 1 else 0.0
        left = max(run.orders_found - processed, 0)
        eta = "done" if run.status not in OPEN_STATUSES else (f"ETA {left / rate:.0f}s" if rate else "ETA -")
        fields: dict[str, Any] = {"events": run.events_added, "rate": f"{rate:.1f} orders/s", "eta": eta}
        total = max(run.orders_found, processed) if run.orders_found or run.status not in OPEN_STATUSES else None
        if run.id not in self.tasks:
            self.tasks[run.id] = self.progress.add_task(run.phase, total=total, completed=processed, **fields)
        self.progress.update(self.tasks[run.id], total=total, completed=processed, **fields)
