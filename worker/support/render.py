"""Readable text of `meli explain` and `meli replay` (rich). The JSON forms live beside the data."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from worker.support.replay import ReplayReport
from worker.support.rules import rule_for
from worker.support.story import OrderStory, document_json, event_json, gap_json, notification_json

WIDE = 200  # columns when the output is not a terminal (a pipe, a file, a test) and COLUMNS is not set


def make_console() -> Console:
    """A console as wide as the terminal, or as COLUMNS says; long cells wrap inside their column."""
    console = Console(highlight=False)
    if console.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return console
    return Console(highlight=False, width=WIDE)


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    return table


def _section(console: Console, title: str, count: int | None = None) -> None:
    console.print()
    console.print(Text(title + ("" if count is None else f" ({count})"), style="bold underline"))


def _notifications(console: Console, story: OrderStory) -> None:
    _section(console, "Notifications received", len(story.notifications))
    keys = ("received_at", "topic", "resource", "status", "attempts", "reason")
    rows = [[notification_json(row)[key] for key in keys] for row in story.notifications]
    console.print(_table(keys, rows) if rows else Text("  none (the order was never notified)"))


def _documents(console: Console, story: OrderStory) -> None:
    _section(console, "Documents fetched", len(story.documents))
    keys = ("kind", "ref", "fetched_at", "summary")
    rows = [[document_json(doc)[key] for key in keys] for doc in story.documents]
    console.print(_table(keys, rows) if rows else Text("  none (the order was never fetched)"))


def _events(console: Console, story: OrderStory) -> None:
    _section(console, "Events stored", len(story.events))
    keys = ("action", "tracked_at", "amount", "currency", "dedupe_key", "origin")
    rows = [[event_json(row)[key] for key in keys] for row in story.events]
    if not rows:
        console.print(Text("  none"))
        return
    console.print(_table(keys, rows))
    _section(console, "Rules behind them")
    for action in dict.fromkeys(row.action for row in story.events):
        console.print(Text(f"  {action}: {rule_for(action)}"))


def _lines(console: Console, title: str, lines: Sequence[str]) -> None:
    if lines:
        _section(console, title, len(lines))
        for line in lines:
            console.print(Text(f"  {line}"))


def render_story(console: Console, story: OrderStory) -> None:
    account = story.account
    header = Text(f"Order {story.order_id}", style="bold")
    header.append(f" of seller {account.seller_id} (account {account.id}, business {account.business_id})")
    console.print(header)
    _notifications(console, story)
    _documents(console, story)
    _events(console, story)
    _lines(console, "Not produced", [str(absence) for absence in story.analysis.absent])
    not_stored = [f"{key} (meli replay adds it)" for key in story.not_stored]
    _lines(console, "Mapped but not stored", not_stored)
    _lines(console, "Problems", story.analysis.problems)
    _lines(console, "Fetched again later", _gap(story))


def _gap(story: OrderStory) -> list[str]:
    gap = story.gap
    if gap is None:
        return []
    shown = gap_json(gap)
    done = f"resolved at {shown['resolved_at']}" if gap.resolved_at else f"next attempt {shown['next_attempt_at']}"
    return [f"{gap.reason} ({gap.attempts} attempts so far; {done})"]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def render_replay(console: Console, report: ReplayReport) -> None:
    counts = [_count(report.events_added, "event") + " added", _count(len(report.problems), "problem")]
    console.print(
        Text(f"replayed {_count(report.orders, 'order')} of {_count(report.accounts, 'account')}: " + ", ".join(counts))
    )
    for key in report.added_keys:
        console.print(Text(f"  added {key}"))
    for problem in report.problems:
        console.print(Text(f"  problem: {problem}"))
