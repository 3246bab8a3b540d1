"""What the end-to-end benchmarks share: a throw-away PostgreSQL database, child processes that are always
stopped, a private Redis (or a private arq queue name whose keys are deleted afterwards), a connected seller.

Everything is an async context manager entered on an `AsyncExitStack`, so a failure (or Ctrl-C, or SIGTERM,
which `exit_on_sigterm` turns into SystemExit) still stops every child by its pid and drops the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import aiohttp
import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError

from worker.demo.sellers import link_seller
from worker.settings import Settings
from worker.store.accounts import TokenSet
from worker.store.crypto import TokenCipher
from worker.store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
MELI = str(ROOT / ".venv" / "bin" / "meli")
HOST = "127.0.0.1"
ADMIN = os.environ.get("MELI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_average() -> str:  # other work on the machine skews a run: compare within one run only
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


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


def _exit(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(143)


def exit_on_sigterm() -> None:  # `finally` blocks then run when the benchmark is terminated, not only on Ctrl-C
    signal.signal(signal.SIGTERM, _exit)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (which need not be sorted); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(pct / 100 * len(ordered)))) - 1]


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


@asynccontextmanager
async def private_redis(group: Children) -> AsyncIterator[str]:
    """A Redis for this run only: `redis-server` on a free port when installed (nothing else shares its rate
    limiter buckets, locks or cron job ids), else MELI_BENCH_REDIS_URL or the machine's Redis."""
    binary = shutil.which("redis-server")
    if binary is None or "MELI_BENCH_REDIS_URL" in os.environ:
        yield os.environ.get("MELI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
        return
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(group.folder)]
    child = await group.start("redis", argv)
    url = f"redis://{HOST}:{port}/0"
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        for _ in range(200):
            with contextlib.suppress(RedisError, OSError):
                if child.process.returncode is None and await client.ping():
                    break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server did not start on port {port}")
    finally:
        await client.aclose()
    yield url


@asynccontextmanager
async def private_queue(prefix: str, redis_url: str) -> AsyncIterator[str]:
    """A unique arq queue name; every Redis key that names it is deleted afterwards."""
    queue = f"{prefix}:{uuid.uuid4().hex[:8]}"
    try:
        yield queue
    finally:
        redis = Redis.from_url(redis_url)
        try:
            async for key in redis.scan_iter(match=f"*{queue}*", count=1000):
                await redis.unlink(key)
        finally:
            await redis.aclose()


@dataclass
class Bench:  # one run's private surroundings
    dsn: str  # asyncpg DSN of the throw-away database
    redis_url: str
    queue: str
    group: Children


async def enter_bench(stack: AsyncExitStack, name: str) -> Bench:
    """Database, child-process group, Redis and queue name of a run, undone by `stack` in reverse order: queue
    keys deleted, children stopped (Redis last), database dropped."""
    dsn = await stack.enter_async_context(throwaway_database(f"meli_bench_{name}"))
    group = await stack.enter_async_context(children())
    redis_url = await stack.enter_async_context(private_redis(group))
    queue = await stack.enter_async_context(private_queue(f"meli:bench:{name}", redis_url))
    return Bench(dsn, redis_url, queue, group)


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


async def connect_seller(
    settings: Settings, seller_id: int, site_id: str = "MCO", tokens: TokenSet | None = None
) -> tuple[int, int]:
    """A business with `seller_id` linked as an active ML account (tokens from the sandbox, or placeholders
    when no ML call will be made); returns (business id, account id)."""
    db = open_database(settings.database_url)
    cipher = TokenCipher([key.get_secret_value() for key in settings.token_encryption_keys])
    tokens = tokens or TokenSet("bench-access", "bench-refresh", datetime.now(UTC) + timedelta(hours=6), "read")
    try:
        linked = await link_seller(
            db, cipher, (f"Bench {seller_id}", "CO"), (seller_id, site_id, f"BENCH{seller_id}"), tokens
        )
        return linked.business_id, linked.account_id
    finally:
        await db.close()


async def wait_http(child: Child, url: str, within: float = 30.0) -> None:
    """Poll `url` until it answers below 500; fail early if the child exits."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if child.process.returncode is not None:
                raise RuntimeError(f"{child.name} exited with {child.process.returncode} before answering {url}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{child.name} did not answer {url} within {within:.0f} s")
