"""A bounded demo run's progress: marketplace changes played of the total, notifications processed and waiting,
events stored, and an estimate of the time left from the pace so far.

On a terminal it is one live rich display, redrawn in place; otherwise (output to a file or a pipe, CI) a plain
line a second, so logs stay readable.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

import click
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn
from rich.progress import Progress as Bar
from rich.text import Text

from worker.store.models import InboxStatus


@dataclass(frozen=True)
class Snapshot:
    played: int
    total: int
    processed: int
    waiting: int
    events: int
    eta: str


@dataclass
class Progress:
    """The counts of one moment, and the plain line that says them."""

    total_steps: int
    started: float = field(default_factory=time.monotonic)

    def snapshot(self, pending_steps: int, inbox: dict[str, int], events: int) -> Snapshot:
        played = max(self.total_steps - pending_steps, 0)
        waiting = inbox.get(InboxStatus.PENDING, 0)
        processed = sum(count for status, count in inbox.items() if status != InboxStatus.PENDING)
        eta = self._eta(played, pending_steps, waiting)
        return Snapshot(played, self.total_steps, processed, waiting, events, eta)

    def line(self, pending_steps: int, inbox: dict[str, int], events: int) -> str:
        now = self.snapshot(pending_steps, inbox, events)
        return (
            f"progress: {now.played} of {now.total} marketplace changes played, {now.processed} notifications "
            f"processed, {now.waiting} waiting, {now.events} events stored, {now.eta}"
        )

    def _eta(self, played: int, pending_steps: int, waiting: int) -> str:
        if pending_steps == 0:
            return "finishing" if waiting else "checking that nothing is left"
        elapsed = time.monotonic() - self.started
        if played == 0 or elapsed <= 0:
            return "time left unknown yet"
        return f"about {round(pending_steps * elapsed / played)} s left"


class _Bar(Bar):
    """The changes played as a bar, with the other counts on a line of their own below it (fits 80 columns)."""

    details = Text()

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        yield self.details


class ProgressDisplay:
    """Shows each update live on a terminal console, or as a plain line on any other output."""

    def __init__(self, console: Console, progress: Progress) -> None:
        self.console, self.progress = console, progress
        self.live = console.is_terminal
        self.bar = _Bar(
            TextColumn("marketplace changes"), BarColumn(), MofNCompleteColumn(),
            console=console, transient=False, auto_refresh=False,
        )  # fmt: skip
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.live:
            self.bar.stop()

    def update(self, pending_steps: int, inbox: dict[str, int], events: int) -> None:
        if not self.live:
            click.echo(self.progress.line(pending_steps, inbox, events))
            return
        now = self.progress.snapshot(pending_steps, inbox, events)
        if self.task is None:
            self.task = self.bar.add_task("demo", total=now.total, completed=now.played)
        else:
            self.bar.update(self.task, completed=now.played)
        self.bar.details = Text(
            f"{now.processed} notifications processed, {now.waiting} waiting · {now.events} events · {now.eta}"
        )
        self.bar.refresh()
