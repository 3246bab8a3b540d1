"""The real `meli` command in a child process, with this process's MELI_ settings left out."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

Ran = subprocess.CompletedProcess[str]


def clean_env(settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its MELI_ variables, plus `settings`."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("MELI_")}
    return base | dict(settings or {})


def run_meli(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> Ran:
    """`meli ARGS...`, waited for (at most a minute); its exit code and output, never raising on failure."""
    command = [sys.executable, "-m", "worker", *args]
    return subprocess.run(
        command, env=clean_env(env), cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


async def meli(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> Ran:
    """`run_meli` in a thread, so the test's event loop (and the servers on it) keeps running."""
    return await asyncio.to_thread(run_meli, *args, env=env, cwd=cwd, stdin=stdin)
