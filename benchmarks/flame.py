"""Where a process spends its busy time: py-spy's collapsed stacks (`--format raw`) folded into a few parts.

    .venv/bin/python benchmarks/flame.py worker.txt [--top 25]

Each sample is charged to the part of the innermost frame that belongs to a known part (so time inside
SQLAlchemy called from our code counts as SQLAlchemy); `--top` lists the busiest functions of our own code
(inclusive time) to find the callers worth changing.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SQLAlchemy + asyncpg/aiosqlite", ("sqlalchemy/", "asyncpg/", "aiosqlite/", "sqlmodel/")),
    ("Redis client", ("redis/",)),
    ("aiohttp client and server", ("aiohttp/", "yarl/", "multidict/")),
    ("arq", ("arq/",)),
    ("JSON", ("json/", "orjson")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
    ("logging (structlog)", ("structlog/", "logging/")),
    ("metrics (prometheus)", ("prometheus_client/",)),
    ("mapping", ("connectors/mercadolibre/mapping/", "connectors/mercadolibre/payloads/")),
    ("our pipeline and store", ("worker/", "connectors/")),
    ("asyncio event loop", ("asyncio/", "uvloop/")),
)


def part_of(frames: list[str]) -> str:
    for frame in reversed(frames):  # innermost first
        for part, markers in PARTS:
            if any(marker in frame for marker in markers):
                return part
    return "other"


def read(lines: Iterable[str]) -> Iterable[tuple[list[str], int]]:
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def summarize(path: Path, top: int) -> list[str]:
    parts: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for frames, count in read(path.read_text().splitlines()):
        total += count
        parts[part_of(frames)] += count
        for frame in set(frames):
            if ("worker/" in frame or "connectors/" in frame) and "worker/jobs/runtime" not in frame:
                ours[frame.split(" (", 1)[0] + " (" + frame.split(" (", 1)[-1].split(":")[0]] += count
    if not total:
        return ["no samples"]
    lines = [f"{total} busy samples"]
    lines += [f"  {share / total:6.1%}  {part}" for part, share in parts.most_common()]
    if top:
        lines.append(f"our functions by inclusive share (top {top}):")
        lines += [f"  {share / total:6.1%}  {name}" for name, share in ours.most_common(top)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print("\n".join(summarize(args.raw, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
