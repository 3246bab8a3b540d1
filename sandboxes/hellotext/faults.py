"""Fault injection for the fake Hellotext: latency, 5xx, 429 with Retry-After, and lost answers (the request is
processed and kept, then the client gets a proxy error or waits past its timeout). Faults come from rates drawn
from a seeded RNG, or from a script of faults for the next matching requests (tests use the script)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    SERVER_ERROR = "500"  # refused before doing anything
    RATE_LIMITED = "429"  # refused before doing anything, with Retry-After
    LOST = "lost"  # done and kept, but the answer never reaches the client intact


@dataclass
class ScriptedFault:
    fault: Fault
    method: str = "POST"
    path: str = ""  # a prefix of the request path; "" matches every path


@dataclass
class Faults:
    latency_ms: float = 0.0
    rate_5xx: float = 0.0
    rate_429: float = 0.0
    retry_after: int = 1
    rate_lost: float = 0.0
    lost_hang_s: float = 0.0  # how long a lost answer hangs before the 504 (longer than a client timeout = timeout)
    seed: int = 7
    script: list[ScriptedFault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}/faults")

    def draw(self, method: str, path: str) -> Fault | None:
        """The fault this request gets, if any: the first matching scripted fault (consumed), else a random one."""
        for position, scripted in enumerate(self.script):
            if scripted.method == method and path.startswith(scripted.path):
                del self.script[position]
                return scripted.fault
        for fault, rate in ((Fault.RATE_LIMITED, self.rate_429), (Fault.SERVER_ERROR, self.rate_5xx)):
            if rate and self.rng.random() < rate:
                return fault
        if method == "POST" and self.rate_lost and self.rng.random() < self.rate_lost:
            return Fault.LOST
        return None

    async def delay(self) -> None:
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
