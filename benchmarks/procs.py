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
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import aiohttp
from redis.asyncio import Redis
from redis.exceptions import RedisError

from worker.demo.sellers import link_seller
from worker.settings import Settings
from worker.store.accounts import TokenSet
from worker.store.crypto import TokenCipher
from worker.store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python benchmarks/NAME.py`: the repository root holds tests/harness
    sys.path.insert(0, str(ROOT))

from tests.harness.procs import (  # noqa: E402  (after the sys.path line above)
    ADMIN,
    HOST,
    MELI,
    Child,
    Children,
    bench_settings,
    child_env,
    children,
    cpu_seconds,
    free_port,
    migrate,
    throwaway_database,
)

# The process machinery lives in tests/harness/procs.py (the chaos tests use it too); the benchmarks reach it here.
__all__ = [
    "ADMIN",
    "HOST",
    "MELI",
    "Child",
    "Children",
    "bench_settings",
    "child_env",
    "children",
    "cpu_seconds",
    "free_port",
    "migrate",
    "throwaway_database",
]


def nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_average() -> str:  # other work on the machine skews a run: compare within one run only
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


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
