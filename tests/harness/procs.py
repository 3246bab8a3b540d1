"""Real processes for end-to-end tests and benchmarks: a throw-away PostgreSQL database, child processes that are
always stopped by their pid, and the settings and environment a `meli` child process runs with."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MELI = str(ROOT / ".venv" / "bin" / "meli")
HOST = "127.0.0.1"
ADMIN = os.environ.get("MELI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.create_server((HOST, 0)) as sock:
        return int(sock.getsockname()[1])


@asynccontextmanager
async def throwaway_database(prefix: str) -> AsyncIterator[str]:
    """Create a fresh PostgreSQL database; yields its asyncpg DSN; drops it (WITH FORCE) on the way out."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN.rsplit("/", 1)[0] + f"/{name}"
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        return "\n".join(f"  {self.name}| {line}" for line in text[-lines:])


@dataclass
class Children:
    """Child processes started by this run; `stop_all` terminates them by pid (SIGTERM, then SIGKILL)."""

    folder: Path
    started: list[Child] = field(default_factory=list)

    async def start(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None) -> Child:
        log = self.folder / f"{name}.log"
        with log.open("wb") as handle:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=ROOT, env=env, stdout=handle, stderr=asyncio.subprocess.STDOUT, start_new_session=True
            )
        child = Child(name, process, log)
        self.started.append(child)
        return child

    async def stop(self, child: Child) -> None:
        if child.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()
            try:
                await asyncio.wait_for(child.process.wait(), timeout=10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                await child.process.wait()

    async def stop_all(self) -> None:
        for child in reversed(self.started):
            await self.stop(child)

    def cpu(self) -> dict[str, float]:  # CPU seconds used so far by each child
        used = {child.name: cpu_seconds(child.process.pid) for child in self.started}
        return {name: value for name, value in used.items() if value is not None}

    def report_failure(self) -> None:
        for child in self.started:
            print(f"--- {child.name} (exit {child.process.returncode}):", child.tail(), sep="\n", file=sys.stderr)


@asynccontextmanager
async def children() -> AsyncIterator[Children]:
    with tempfile.TemporaryDirectory(prefix="meli-bench-") as folder:
        group = Children(Path(folder))
        try:
            yield group
        except Exception:  # not on Ctrl-C / SIGTERM: the logs of a deliberate stop say nothing
            group.report_failure()
            raise
        finally:
            await group.stop_all()


def bench_settings(dsn: str, redis_url: str, queue: str, **overrides: object) -> Settings:
    """The settings of this run; `child_env` hands the same values to `meli` subprocesses. The intake budget is
    opened for the benchmarks' genuine bursts (tests/attacks/test_forged_flood.py measures it under a flood)."""
    values: dict[str, object] = {
        "database_url": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        "redis_url": redis_url,
        "queue_name": queue,
        "log_level": "warning",
        "webhook_seller_rate": 100_000.0, "webhook_seller_burst": 10_000, "inbox_max_pending_per_seller": 1_000_000,
        "internal_port": 0,  # several web processes share the host
    }  # fmt: skip
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def child_env(settings: Settings) -> dict[str, str]:
    # the caller's MELI_ settings stay out, but MELI_EVENT_LOOP, so loops can be compared
    env = {key: value for key, value in os.environ.items() if not key.startswith("MELI_") or key == "MELI_EVENT_LOOP"}
    keys = ",".join(key.get_secret_value() for key in settings.token_encryption_keys)
    env |= {
        "MELI_DATABASE_URL": settings.database_url,
        "MELI_REDIS_URL": settings.redis_url,
        "MELI_QUEUE_NAME": settings.queue_name,
        "MELI_ML_CLIENT_ID": settings.ml_client_id,
        "MELI_ML_API_BASE_URL": settings.ml_api_base_url,
        "MELI_ML_AUTH_BASE_URL": settings.ml_auth_base_url or "",
        "MELI_MP_API_BASE_URL": settings.mp_api_base_url,
        "MELI_ML_APP_RATE": str(settings.ml_app_rate),
        "MELI_ML_SELLER_RATE": str(settings.ml_seller_rate),
        "MELI_TOKEN_ENCRYPTION_KEYS": keys,
        "MELI_LOG_LEVEL": settings.log_level,
        "MELI_WEBHOOK_SELLER_RATE": str(settings.webhook_seller_rate),
        "MELI_WEBHOOK_SELLER_BURST": str(settings.webhook_seller_burst),
        "MELI_INBOX_MAX_PENDING_PER_SELLER": str(settings.inbox_max_pending_per_seller),
        "MELI_INTERNAL_PORT": str(settings.internal_port),
        "MELI_WORKER_SHUTDOWN_SECONDS": "0",  # a benchmark's workers stop at once when it ends
    }
    return env


async def migrate(settings: Settings) -> None:
    env, pipe, devnull = child_env(settings), asyncio.subprocess.PIPE, asyncio.subprocess.DEVNULL
    process = await asyncio.create_subprocess_exec(MELI, "migrate", cwd=ROOT, env=env, stdout=devnull, stderr=pipe)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"meli migrate failed: {err.decode(errors='replace').strip()}")
