"""The state of one sandbox run (`Sandbox`) and the wall-clock driver; handlers reach it via `SANDBOX`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Final

from aiohttp import web

from sandboxes.mercadolibre.builder import build_world
from sandboxes.mercadolibre.config import SandboxConfig
from sandboxes.mercadolibre.faults import FaultGate
from sandboxes.mercadolibre.notifier import Notifier
from sandboxes.mercadolibre.requestlog import RequestLog
from sandboxes.mercadolibre.tokens import TokenStore

TICK_S: Final = 0.05


class Driver:
    """Applies planned steps at `rate` per wall-clock second (0 = only `POST /_sandbox/advance`)."""

    def __init__(self, sandbox: Sandbox, rate: float) -> None:
        self.sandbox, self.rate = sandbox, rate
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        credit, last = 0.0, time.monotonic()
        engine = self.sandbox.engine
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            credit += (now - last) * self.rate
            last = now
            if engine.pending == 0:
                credit = 0.0
            elif credit >= 1:
                steps = int(credit)
                credit -= steps
                engine.advance(steps)


class Sandbox:
    """Everything one sandbox run holds. Built once per app; no module-level state."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] | None = None) -> None:
        self.config = config
        self.clock = clock or time.time
        self.world, self.engine = build_world(config)
        self.faults = dataclasses.replace(config.faults)
        self.tokens = TokenStore(config, self.clock)
        self.gate = FaultGate(self.faults, config.seed, self.clock)
        self.log = RequestLog(config.log_size)
        self.notifier = Notifier(config, self.faults)
        self.engine.listeners.append(self.notifier.submit)
        self.driver = Driver(self, config.rate)
        self.control_count = 0

    async def start(self) -> None:
        await self.notifier.start()
        self.driver.start()

    async def stop(self) -> None:
        await self.driver.stop()
        await self.notifier.stop()


SANDBOX: Final = web.AppKey("sandbox", Sandbox)
