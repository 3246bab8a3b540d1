"""Recording benchmark results: a dated section appended to benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def append_results(title: str, setup: str, lines: Sequence[str]) -> None:
    """Append a section to benchmarks/RESULTS.md: date (as `date -u` prints it), the exact command, setup."""
    command = shlex.join([".venv/bin/python", *sys.argv])
    section = [
        "",
        f"## {title}",
        "",
        f"- Date: {utc_stamp()}",
        f"- Command: `{command}`",
        f"- nproc: {nproc()}; {setup}",
    ]
    with (ROOT / "benchmarks" / "RESULTS.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join([*section, *lines]) + "\n")


def utc_stamp() -> str:
    """What `date -u` prints."""
    return datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
