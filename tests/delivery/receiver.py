"""An endpoint that receives outbound webhooks on loopback: it keeps every request and answers each path with
the statuses it is told (200 once they run out), after a delay when told."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

BIG_ANSWER = "down " * 2000  # a receiver's long error page: only its first bytes are read


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: dict[str, deque[int]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def on(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def answer(self, path: str, *statuses: int) -> None:
        self.answers[path] = deque(statuses)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append(Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body))
        await asyncio.sleep(self.delays.get(request.path, 0))
        waiting = self.answers.get(request.path)
        status = waiting.popleft() if waiting else 200
        return web.Response(status=status, text="ok" if status < 300 else BIG_ANSWER)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/{path:.*}", found.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    found.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield found
    finally:
        await server.close()
