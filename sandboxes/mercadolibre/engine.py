"""The lifecycle engine: a time-ordered queue of planned steps over the world.

Planned steps carry the simulated time they were drawn for. Live steps are applied at
`max(planned time, cursor)` so simulated time never runs backwards, whatever the wall-clock driver does;
the same sequence of calls therefore gives the same resources. History is applied at its planned times,
before the live part starts, with notifications off.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sandboxes.mercadolibre.clock import SECOND, iso_utc
from sandboxes.mercadolibre.steps import InvalidTransition, Step
from sandboxes.mercadolibre.world import Note, World

Listener = Callable[[list[Note]], None]


@dataclass(slots=True, frozen=True)
class Applied:
    step: str
    at: int
    order_ids: tuple[int, ...]
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "at": iso_utc(self.at),
            "order_ids": list(self.order_ids),
            "skipped": self.skipped,
        }


class Engine:
    def __init__(self, world: World) -> None:
        self.world = world
        self._heap: list[tuple[int, int, Step]] = []
        self._seq = 0
        self.listeners: list[Listener] = []

    @property
    def pending(self) -> int:
        return len(self._heap)

    def schedule(self, steps: Iterable[Step]) -> None:
        for step in steps:
            self._seq += 1
            heapq.heappush(self._heap, (step.at, self._seq, step))

    def run_history(self, until_ms: int) -> int:
        """Apply every planned step due before `until_ms` at its own time, without notifications."""
        world, applied = self.world, 0
        world.notify = False
        try:
            while self._heap and self._heap[0][0] < until_ms:
                _, _, step = heapq.heappop(self._heap)
                try:
                    world.applying_ms = step.at
                    step.apply(world, step.at)
                    applied += 1
                except InvalidTransition:
                    continue
        finally:
            world.notify = True
            world.outbox.clear()
        return applied

    def advance(self, steps: int | None) -> list[Applied]:
        """Apply the next `steps` planned steps (None: all). Steps that no longer fit are skipped."""
        done: list[Applied] = []
        applied = 0
        while self._heap and (steps is None or applied < steps):
            _, _, step = heapq.heappop(self._heap)
            result = self._apply(step, max(step.at, self.world.cursor_ms))
            done.append(result)
            if result.skipped is None:
                applied += 1
        self._publish()
        return done

    def apply_now(self, step: Step, delay_ms: int = 60 * SECOND) -> Applied:
        """Apply a requested step `delay_ms` after the cursor; raises InvalidTransition if it does not fit."""
        at = self.world.cursor_ms + delay_ms
        self.world.applying_ms = at
        step.apply(self.world, at)
        self.world.cursor_ms = at
        self._publish()
        return Applied(step.name, at, step.order_ids(self.world))

    def _apply(self, step: Step, at: int) -> Applied:
        mark = len(self.world.outbox)
        self.world.applying_ms = at
        try:
            step.apply(self.world, at)
        except InvalidTransition as exc:
            del self.world.outbox[mark:]
            return Applied(step.name, at, step.order_ids(self.world), skipped=str(exc))
        self.world.cursor_ms = at
        return Applied(step.name, at, step.order_ids(self.world))

    def _publish(self) -> None:
        notes = self.world.drain()
        if notes:
            for listener in self.listeners:
                listener(notes)
