"""`meli worker` outlives a Redis restart: arq's loop ends when Redis goes away, and the worker starts it again
once Redis is back (no supervisor needed). Real processes: a private redis-server, a throw-away PostgreSQL
database and one `meli worker`."""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.harness import procs
from worker import redis_keys

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


async def heartbeat_seen(url: str, queue_name: str, within: float) -> bool:
    """Whether a worker writes its start-up heartbeat into this (empty) Redis within `within` seconds."""
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            try:
                if await client.exists(redis_keys.heartbeat(queue_name)):
                    return True
            except (RedisError, OSError):
                pass
            await asyncio.sleep(0.2)
        return False
    finally:
        await client.aclose()


@pytest.fixture
async def group() -> AsyncIterator[procs.Children]:
    async with procs.children() as children:
        yield children


async def test_the_worker_runs_again_after_redis_restarts(group: procs.Children) -> None:
    binary = shutil.which("redis-server")
    assert binary is not None
    port = procs.free_port()
    argv = [binary, "--port", str(port), "--bind", procs.HOST, "--save", "", "--appendonly", "no"]
    url = f"redis://{procs.HOST}:{port}/0"
    redis = await group.start("redis", [*argv, "--dir", str(group.folder)])
    async with procs.throwaway_database("meli_redis_restart") as dsn:
        settings = procs.bench_settings(dsn, url, "meli:test:redis-restart")
        await procs.migrate(settings)
        worker = await group.start("worker", [str(procs.MELI), "worker"], procs.child_env(settings))
        try:
            assert await heartbeat_seen(url, settings.queue_name, within=30), "the worker did not start"

            redis.process.send_signal(signal.SIGKILL)
            await redis.process.wait()
            await asyncio.sleep(3)  # the worker's poll fails meanwhile
            await group.start("redis-again", [*argv, "--dir", str(group.folder)])

            assert await heartbeat_seen(url, settings.queue_name, within=60), (
                "the worker did not come back:\n" + worker.tail()
            )
            assert worker.process.returncode is None
        finally:
            await group.stop_all()
