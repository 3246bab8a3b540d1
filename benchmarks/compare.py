"""The same benchmark on two versions of the code, in interleaved rounds of one run: machines here are noisy,
so only numbers measured side by side count.

    .venv/bin/python benchmarks/compare.py --baseline REF [--rounds 2] -- latency.py --duration 30

REF is any git revision (a commit, a tag, `main`): its tree is exported with `git archive` into a temporary
folder that borrows this checkout's virtual environment, and the benchmark script of that tree runs there (its
own processes, its own code: `PYTHONPATH` puts the old tree first). The two versions alternate, baseline first;
each round's summary lines are collected and the medians of the numbers both versions print are shown side by
side. The scripts' own output is kept in full under `--keep DIR` when given.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What to read from the benchmarks' text output: a name and the number it prints.
NUMBERS: dict[str, re.Pattern[str]] = {
    "worker ms per inbox row": re.compile(r"worker: ([0-9.]+) ms per processed inbox row"),
    "lag p50 (s)": re.compile(r"lag p50 ([0-9.]+|∞)"),
    "lag p99 (s)": re.compile(r"p99 ([0-9.]+|∞) s?, max of stored"),
    "rows/s processed": re.compile(r"processed: ([0-9.]+) rows/s"),
    "intake % of bare": re.compile(r"ours/bare: ([0-9.]+) %"),
    "delivery first round events/s": re.compile(r"= ([0-9.]+) events/s; rounds"),
}


@dataclass
class Version:
    name: str
    tree: Path
    outputs: list[str] = field(default_factory=list)

    def numbers(self) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for output in self.outputs:
            for name, pattern in NUMBERS.items():
                match = pattern.search(output)
                if match:
                    found.setdefault(name, []).append(float("inf") if match.group(1) == "∞" else float(match.group(1)))
        return found

    def exact(self) -> list[bool]:
        return ["exact match" in output for output in self.outputs]


def export(ref: str, into: Path) -> Path:
    """The tree of `ref`, with this checkout's .venv linked in (same pinned dependencies)."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, check=True, capture_output=True)
    tree = into / "tree"
    tree.mkdir()
    with tempfile.TemporaryFile() as handle:
        handle.write(archive.stdout)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(tree, filter="data")
    (tree / ".venv").symlink_to(ROOT / ".venv")
    return tree


def run_once(version: Version, script: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(version.tree)}
    command = [sys.executable, str(version.tree / "benchmarks" / script[0]), *script[1:]]
    done = subprocess.run(command, cwd=version.tree, env=env, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def table(versions: list[Version]) -> list[str]:
    names = [name for name in NUMBERS if all(name in version.numbers() for version in versions)]
    lines = [f"{'':28s}" + "".join(f"{version.name:>24s}" for version in versions)]
    for name in names:
        cells = []
        for version in versions:
            values = version.numbers()[name]
            cells.append(f"{statistics.median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})")
        lines.append(f"{name:28s}" + "".join(f"{cell:>24s}" for cell in cells))
    lines.append(f"{'store = oracle':28s}" + "".join(f"{version.exact()!s:>24s}" for version in versions))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="git revision to compare with (e.g. main, a commit)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each version, interleaved")
    parser.add_argument("--keep", type=Path, help="folder to keep every round's full output in")
    parser.add_argument("script", nargs=argparse.REMAINDER, help="-- SCRIPT [ARGS...] (a file in benchmarks/)")
    args = parser.parse_args()
    script = [part for part in args.script if part != "--"]
    if not script:
        parser.error("name the benchmark script after --")
    with tempfile.TemporaryDirectory(prefix="meli-baseline-") as folder:
        versions = [
            Version(f"baseline {args.baseline}", export(args.baseline, Path(folder))),
            Version("this tree", ROOT),
        ]
        for round_number in range(args.rounds):
            for version in versions:
                output = run_once(version, script)
                version.outputs.append(output)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    slug = "baseline" if version.tree != ROOT else "current"
                    (args.keep / f"{slug}-{round_number + 1}.txt").write_text(output)
                print(f"round {round_number + 1}, {version.name}: done", flush=True)
    print(f"nproc: {len(os.sched_getaffinity(0))}; command: {' '.join(script)}")
    print("\n".join(table(versions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
