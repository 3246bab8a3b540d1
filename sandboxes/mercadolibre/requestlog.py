"""The request log: every request the sandbox answered (method, path, status, seller, wall time)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(slots=True, frozen=True)
class Entry:
    time: float
    method: str
    path: str
    query: str
    status: int
    seller_id: int | None


class RequestLog:
    def __init__(self, size: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def query(
        self,
        path_prefix: str = "",
        method: str | None = None,
        seller_id: int | None = None,
        status: int | None = None,
    ) -> list[Entry]:
        return [
            e
            for e in self._entries
            if e.path.startswith(path_prefix)
            and (method is None or e.method == method)
            and (seller_id is None or e.seller_id == seller_id)
            and (status is None or e.status == status)
        ]


def entry_json(entry: Entry) -> dict[str, Any]:
    stamp = datetime.fromtimestamp(entry.time, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "time": stamp,
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "seller_id": entry.seller_id,
    }
