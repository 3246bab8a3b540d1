"""The processes of a chaos run, and what the run does to them.

A private `redis-server` (no persistence, so a restart loses every key), the sandbox, two `meli serve`
processes behind a round-robin loopback proxy (the sandbox has one callback URL), and two `meli worker`
processes. Every process is a `Slot`: how to start it and its current child. `kill` sends SIGKILL by pid and
starts the slot again; `supervise` restarts a process that exited on its own and records it, as a process
supervisor (systemd, Kubernetes) would. The proxy does not fail over: a notification sent to a dead web
process is answered 502 and the sandbox retries it later, as Mercado Libre would.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

try:
    from benchmarks import procs
except ModuleNotFoundError:  # run as `python benchmarks/chaos.py`: its own folder is on sys.path
    import procs  # type: ignore[no-redef, import-not-found]

HOST = procs.HOST
Ready = Callable[[procs.Child], Awaitable[None]]


def redis_binary() -> str | None:
    return shutil.which("redis-server")


@dataclass
class Slot:
    """One supervised process: how to start it, the running child, and what happened to it."""

    name: str
    argv: list[str]
    env: dict[str, str] | None
    ready: Ready | None = None
    child: procs.Child | None = None
    generation: int = 0


@dataclass
class Cluster:
    group: procs.Children
    slots: dict[str, Slot] = field(default_factory=dict)

    async def add(self, slot: Slot) -> Slot:
        self.slots[slot.name] = slot
        await self.start(slot)
        return slot

    async def start(self, slot: Slot) -> None:
        slot.generation += 1
        slot.child = await self.group.start(f"{slot.name}.{slot.generation}", slot.argv, slot.env)
        if slot.ready is not None:
            await slot.ready(slot.child)

    async def kill(self, name: str, pause: float) -> str:
        """SIGKILL the process by its pid, wait `pause` seconds, start it again."""
        slot = self.slots[name]
        assert slot.child is not None
        pid = slot.child.process.pid
        if slot.child.process.returncode is None:
            slot.child.process.send_signal(signal.SIGKILL)
        await slot.child.process.wait()
        await asyncio.sleep(pause)
        started = time.monotonic()
        await self.start(slot)
        return f"SIGKILL {name} (pid {pid}); back in {pause + time.monotonic() - started:.1f} s"

    async def supervise(self) -> list[str]:
        """Restart every process that exited without being killed by the run; returns what happened."""
        notes = []
        for slot in self.slots.values():
            if slot.child is None or slot.child.process.returncode is None:
                continue
            last = slot.child.tail(1).strip() or "(no output)"
            note = f"{slot.child.name} exited on its own with {slot.child.process.returncode}; restarted. Last: {last}"
            notes.append(note)
            await self.start(slot)
        return notes


def redis_slot(binary: str, port: int, folder: str) -> Slot:
    argv = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", folder]

    async def ready(child: procs.Child) -> None:
        client = Redis(host=HOST, port=port)
        deadline = time.monotonic() + 20
        try:
            while time.monotonic() < deadline:
                if child.process.returncode is not None:
                    raise RuntimeError(f"redis-server exited with {child.process.returncode}")
                try:
                    if await client.ping():
                        return
                except (RedisError, OSError):
                    await asyncio.sleep(0.05)
            raise RuntimeError("redis-server did not answer PING within 20 s")
        finally:
            await client.aclose()

    return Slot("redis", argv, None, ready)


def http_slot(name: str, argv: list[str], env: dict[str, str] | None, ready_url: str) -> Slot:
    async def ready(child: procs.Child) -> None:
        await procs.wait_http(child, ready_url, within=60)

    return Slot(name, argv, env, ready)


class Proxy:
    """Round-robin loopback proxy in front of the web processes (no failover; see the module docstring)."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.forwarded = 0
        self.refused = 0
        self._turn = itertools.cycle(range(len(targets)))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, port: int) -> str:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, port).start()
        return f"http://{HOST}:{port}"

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        target = self.targets[next(self._turn)] + request.path_qs
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        try:
            async with self._session.request(request.method, target, data=body, headers=headers) as answer:
                payload = await answer.read()
        except (aiohttp.ClientError, TimeoutError):
            self.refused += 1
            return web.json_response({"error": "backend unavailable"}, status=502)
        self.forwarded += 1
        return web.Response(status=answer.status, body=payload, content_type=answer.content_type)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
