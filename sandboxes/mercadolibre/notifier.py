"""The notification sender: POSTs ML-shaped notifications to the app's callback URL, with retries.

Schedule (our choice, modelled on ML's "retries for about an hour"): up to `notify_max_attempts` (8)
attempts; the waits before attempts 2..8 are 30 s, 1, 2, 5, 10, 15 and 25 min (58.5 min in all),
multiplied by `notify_time_scale` so tests can compress an hour into milliseconds. An attempt fails on any
answer but 200 or when the answer takes longer than `notify_timeout_s` (0.5 s). A notification whose last
attempt failed (or that had no callback URL to go to) is listed by `GET /missed_feeds`.

Faults (from `Faults`): `duplicate_rate` sends a second copy (same `_id`) shortly after; `late_rate` holds
the first attempt back `late_s`; `reorder_rate` holds it 1-10 s so later notifications overtake it.
Bursts come from the lifecycle itself: `POST /_sandbox/advance` with many steps (or a high `--rate`)
releases every notification of those steps at once. `sent` and `received` are simulated UTC times:
`received` is the change, `sent` adds the schedule's waits (unscaled).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

from sandboxes.mercadolibre.clock import iso_utc
from sandboxes.mercadolibre.config import Faults, SandboxConfig
from sandboxes.mercadolibre.world import Note

RETRY_DELAYS_S: Final = (30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1500.0)
KEPT_HEADERS: Final = frozenset({"date", "content-length", "content-type", "connection"})


@dataclass(slots=True)
class Attempt:
    number: int
    time: float
    http_code: int | None
    error: str | None
    duration_ms: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Delivery:
    id: str
    note: Note
    duplicate: bool = False
    state: str = "pending"
    sim_offset_ms: int = 0
    attempts: list[Attempt] = field(default_factory=list)


class Notifier:
    def __init__(self, config: SandboxConfig, faults: Faults) -> None:
        self.config, self.faults = config, faults
        self.callback_url = config.callback_url
        self.rng = random.Random(f"{config.seed}/notifications")
        self.deliveries: deque[Delivery] = deque(maxlen=config.log_size)
        self.missed: deque[Delivery] = deque(maxlen=config.log_size)
        self._count = 0
        self._queue: asyncio.Queue[Delivery] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._backlog: list[tuple[Delivery, float]] = []

    # --- intake (called synchronously by the engine) ---------------------------------------------------
    def submit(self, notes: list[Note]) -> None:
        for note in notes:
            delivery = self._new(note, duplicate=False)
            if self.callback_url is None:
                self._miss(delivery)
                continue
            self._schedule(delivery, self._first_delay())
            if self.faults.duplicate_rate and self.rng.random() < self.faults.duplicate_rate:
                copy = Delivery(delivery.id, note, duplicate=True)
                self.deliveries.append(copy)
                self._schedule(copy, self.rng.uniform(0.1, 2.0))

    def _new(self, note: Note, duplicate: bool) -> Delivery:
        self._count += 1
        digest = hashlib.sha1(f"{self.config.seed}:{self._count}".encode(), usedforsecurity=False)
        delivery = Delivery(digest.hexdigest()[:24], note, duplicate)
        self.deliveries.append(delivery)
        return delivery

    def _first_delay(self) -> float:
        f = self.faults
        if f.late_rate and self.rng.random() < f.late_rate:
            return f.late_s
        if f.reorder_rate and self.rng.random() < f.reorder_rate:
            return self.rng.uniform(1.0, 10.0)
        return 0.0

    def _schedule(self, delivery: Delivery, delay_s: float) -> None:
        delivery.sim_offset_ms += int(delay_s * 1000)
        if self._queue is None:
            self._backlog.append((delivery, delay_s))
            return
        queue = self._queue
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            if handle is not None:
                self._timers.discard(handle)
            queue.put_nowait(delivery)

        handle = loop.call_later(delay_s * self.config.notify_time_scale, fire)
        self._timers.add(handle)

    def _miss(self, delivery: Delivery) -> None:
        delivery.state = "missed"
        self.missed.append(delivery)

    # --- lifecycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._session = aiohttp.ClientSession()
        self._tasks = [asyncio.create_task(self._worker()) for _ in range(self.config.notify_concurrency)]
        backlog, self._backlog = self._backlog, []
        for delivery, delay in backlog:
            delivery.sim_offset_ms -= int(delay * 1000)
            self._schedule(delivery, delay)

    async def stop(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._session is not None:
            await self._session.close()
        self._queue = None
        self._session = None

    async def _worker(self) -> None:
        assert self._queue is not None
        while True:
            delivery = await self._queue.get()
            await self._attempt(delivery)

    # --- one attempt ------------------------------------------------------------------------------------------
    async def _attempt(self, delivery: Delivery) -> None:
        assert self._session is not None
        number = len(delivery.attempts) + 1
        url = self.callback_url
        code: int | None = None
        error: str | None = None
        text = ""
        headers: dict[str, str] = {}
        started = time.monotonic()
        try:
            if url is None:
                raise aiohttp.InvalidURL("no callback url")
            timeout = aiohttp.ClientTimeout(total=self.config.notify_timeout_s)
            body = payload(delivery, number, self.config.application_id)
            async with self._session.post(url, json=body, timeout=timeout) as response:
                code, text = response.status, (await response.text())[:500]
                headers = {k.lower(): v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        except TimeoutError:
            error = "timeout"
        except (aiohttp.ClientError, ValueError) as exc:
            error = type(exc).__name__
        duration = int((time.monotonic() - started) * 1000)
        delivery.attempts.append(Attempt(number, time.time(), code, error, duration, text, headers))
        if code == 200 and error is None:
            delivery.state = "delivered"
        elif number >= self.config.notify_max_attempts:
            self._miss(delivery)
        else:
            self._schedule(delivery, RETRY_DELAYS_S[min(number, len(RETRY_DELAYS_S)) - 1])


def payload(delivery: Delivery, attempt: int, application_id: int) -> dict[str, Any]:
    """The notification body. Claims (`post_purchase`) carry their id as `id`, every other topic as `_id`
    (NOTIF examples); Global Selling topics send `user_id` as a string (GS examples)."""
    note = delivery.note
    body: dict[str, Any] = {
        "id" if note.topic == "post_purchase" else "_id": delivery.id,
        "resource": note.resource,
        "user_id": str(note.user_id) if note.topic.startswith("marketplace_") else note.user_id,
        "topic": note.topic,
        "application_id": application_id,
        "attempts": attempt,
        "sent": iso_utc(note.at + delivery.sim_offset_ms),
        "received": iso_utc(note.at),
    }
    if note.actions:
        body["actions"] = list(note.actions)
    return body


def missed_entry(delivery: Delivery, url: str | None, application_id: int) -> dict[str, Any]:
    """A `/missed_feeds` message, as NOTIF's "Historial de notificaciones" example
    (missed_feeds_doc_es.json): the notification's keys with `_id` at the top level only, then the request
    whose `data` is the body first POSTed as a JSON string (no `_id`, `user_id` as a string, attempts 1),
    and the last response."""
    body = payload(delivery, len(delivery.attempts), application_id)
    body.pop("id", None)
    body.pop("_id", None)
    data = json.dumps({**body, "user_id": str(delivery.note.user_id), "attempts": 1}, separators=(",", ":"))
    last = delivery.attempts[-1] if delivery.attempts else None
    headers = {"accept": "application/json", "content-type": "application/json", "content-length": len(data)}
    return {
        "_id": delivery.id,
        **body,
        "request": {"url": url, "headers": headers, "data": data},
        "response": {
            "req_time": last.duration_ms if last else 0,
            "http_code": (last.http_code or 0) if last else 0,
            "body": last.body if last else "",
            "headers": dict(last.headers) if last else {},
        },
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "_id": delivery.id,
        "topic": delivery.note.topic,
        "resource": delivery.note.resource,
        "user_id": delivery.note.user_id,
        "received": iso_utc(delivery.note.at),
        "duplicate": delivery.duplicate,
        "state": delivery.state,
        "attempts": [
            {"attempt": a.number, "http_code": a.http_code, "error": a.error, "duration_ms": a.duration_ms}
            for a in delivery.attempts
        ],
    }
