"""Group concurrent inbox writes into one transaction.

Each webhook request hands its row to the `BatchWriter` and awaits the commit of the batch it joined. Under
load, one INSERT of many rows replaces many single-row transactions; alone, a request waits for nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

Flush = Callable[[Sequence[T]], Awaitable[Sequence[int | Exception]]]  # per item: its id, or why it failed


class BatchWriter(Generic[T]):
    """Up to `in_flight` batches are written at once, so requests that arrive while one batch waits on the
    database form the next one instead of idling."""

    def __init__(self, flush: Flush[T], max_batch: int = 500, in_flight: int = 2) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._waiting: list[tuple[T, asyncio.Future[int]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def write(self, item: T) -> int:
        """Queue `item`; returns its id once the batch holding it is committed (or raises the batch's error, or
        this item's own)."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if len(self._running) < self._in_flight:
            task = asyncio.create_task(self._drain())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
            try:
                results = await self._flush([item for item, _ in batch])
            except Exception as exc:  # every waiter of the batch gets the same error
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def close(self) -> None:
        while self._running:
            await asyncio.gather(*self._running)
