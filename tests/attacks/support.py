"""What the attack tests share: a deny-all server that records every connection, and hostile resources."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

from connectors.mercadolibre.notifications import TOPICS


class DenyAll:
    """A TCP server on 127.0.0.1 that records every connection (and what was sent) and answers 404."""

    def __init__(self) -> None:
        self.connections: list[bytes] = []
        self._server: asyncio.Server | None = None
        self.host = ""

    async def __aenter__(self) -> DenyAll:
        self._server = await asyncio.start_server(self._record, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.host = f"127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _record(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = len(self.connections)
        self.connections.append(b"")
        with contextlib.suppress(TimeoutError, ConnectionError):
            self.connections[index] = await asyncio.wait_for(reader.read(4096), 1.0)
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        writer.close()


def hostile_ids(evil: str) -> list[str]:
    """What may stand where a numeric id belongs: traversal, encodings, CRLF, other digits, query tricks."""
    return [
        "..", "1/../../users/me", "%2e%2e", "%2E%2E%2Fusers%2Fme", "1%2f..%2f..%2fusers%2fme", "..%5c..%5cusers",
        f"1\r\nHost: {evil}", f"1%0d%0aHost:%20{evil}", "1\n", "1\r", " 1", "1 ", "1\t", "1\x00",
        "\u0661\u0662\u0663", "\uff11\uff12\uff13", "\u00b2", "\U0001d7cf",  # Arabic-Indic, fullwidth, super, math
        "-1", "+1", "0x1F", "1e3", "1.0", "9" * 21, "",
        f"1?access_token=x&next=http://{evil}/", "1#x", "1/", f"1@{evil}", f"1/http://{evil}/",
    ]  # fmt: skip


def hostile_resources(canonical: str, evil: str) -> list[str]:
    """Resources that try to make us fetch something other than `canonical` (e.g. /orders/{id}) on the ML API."""
    path = canonical.replace("{id}", "2000009876543210")
    elsewhere = [
        f"http://{evil}{path}", f"https://{evil}{path}", f"//{evil}{path}", f"{evil}{path}", f"@{evil}{path}",
        f"http:{evil}{path}", f"\\\\{evil}{path}", f"/\\{evil}{path}", path.replace("/", "\\"),
        "\\" + path[1:], f"{path}/../../..", f"/..{path}", f"/./{path[1:]}", f"{path}%00", path.upper(),
    ]  # fmt: skip
    # A query string or a trailing slash names the same document (the resource is stored and fetched in its
    # canonical form), so those are not hostile at the webhook; the client still refuses them as ids.
    harmless = {canonical_variant for canonical_variant in hostile_ids(evil) if canonical_variant.startswith("1?")}
    ids = [bad for bad in hostile_ids(evil) if bad not in harmless and bad != "1/"]
    return elsewhere + [canonical.replace("{id}", bad) for bad in ids]


def processed_topics() -> list[tuple[str, str]]:
    """(topic, canonical resource) for every topic we fetch."""
    return [(topic.value, rule.canonical) for topic, rule in TOPICS.items()]
