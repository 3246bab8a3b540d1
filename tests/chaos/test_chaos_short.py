"""The short chaos run (`benchmarks/chaos.py --short`) as part of `make test`.

Real processes on loopback: a private redis-server, the sandbox, two `meli serve`, two `meli worker`, on a
throw-away PostgreSQL database. One worker SIGKILL, one web SIGKILL, one Redis restart with its data gone and
one expiry of every access token, under 5xx/429/latency faults and duplicated, late and reordered
notifications; the event store must equal the sandbox oracle and no inbox row may stay open.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "chaos.py"
MELI = ROOT / ".venv" / "bin" / "meli"
WITHIN_S = 600


def _missing_binaries() -> list[str]:
    missing = [] if shutil.which("redis-server") else ["redis-server"]
    return missing + ([] if MELI.exists() else [str(MELI)])


def _run_short() -> tuple[int, str]:
    """Run it; on timeout SIGTERM it first, so it stops its own children and drops its database."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--short"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output, _ = process.communicate(timeout=WITHIN_S)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        return -1, f"timed out after {WITHIN_S} s\n{output}"
    return process.returncode, output


@pytest.mark.slow
def test_short_chaos_run_loses_and_duplicates_nothing() -> None:
    missing = _missing_binaries()
    if missing:
        pytest.skip(f"the chaos run needs {', '.join(missing)}")

    code, output = _run_short()

    assert code == 0, output[-8000:]
    assert "| result | PASS |" in output
    assert "missing 0 · duplicated 0 · wrong 0" in output
