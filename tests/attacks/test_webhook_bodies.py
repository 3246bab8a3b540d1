"""Oversized, trickled and split webhook bodies: bounded in size and time, and read whole.

A body over 16 KiB is refused with 413 (before it is read when Content-Length says so); a client that sends
the headers and then trickles the body (or nothing) is answered 408 once `BODY_TIMEOUT` has passed, while
other requests are served as usual; a body that arrives in several pieces within the bound is read whole.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.store.inbox import count_by_status
from worker.web import webhooks

PATH = "/webhooks/mercadolibre"


def body_for(tenant: Tenant, context: AppContext, size: int | None = None) -> bytes:
    note = {"topic": "orders_v2", "resource": "/orders/2000009876543210", "user_id": tenant.seller_id,
            "application_id": int(context.settings.ml_client_id)}  # fmt: skip
    raw = json.dumps(note).encode()
    return raw if size is None else raw[:-1] + b" " * (size - len(raw)) + b"}"


async def raw_request(client: Client, head: str, pieces: list[bytes], pause: float) -> tuple[bytes, float]:
    """Send `head` then `pieces` with `pause` seconds between them; the status line and seconds until it came."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    started = time.monotonic()

    async def trickle() -> None:
        writer.write(head.encode())
        for piece in pieces:
            await writer.drain()
            await asyncio.sleep(pause)
            writer.write(piece)
        await writer.drain()

    sender = asyncio.create_task(trickle())
    try:
        return await asyncio.wait_for(read_response(reader), 10), time.monotonic() - started
    finally:
        sender.cancel()
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> bytes:
    """Status line, headers and the Content-Length body of one HTTP/1.1 answer."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


def post_head(length: int | None) -> str:
    size = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{size}\r\n\r\n"


@pytest.mark.parametrize("size", [webhooks.MAX_WEBHOOK_BODY + 1, 10_000_000])
async def test_a_declared_oversize_body_is_refused_before_it_is_read(
    client: Client, context: AppContext, size: int
) -> None:
    answer, seconds = await raw_request(client, post_head(size) + "{", [], 0)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'{"error": "body larger than 16384 bytes"}')
    assert seconds < 2
    assert await count_by_status(context.db) == {}


async def test_an_oversize_chunked_body_is_refused_and_the_limit_itself_is_accepted(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    limit = webhooks.MAX_WEBHOOK_BODY
    over = await client.post(PATH, data=_chunks(body_for(tenants[0], context, limit + 1)))
    at_limit = await client.post(PATH, data=_chunks(body_for(tenants[0], context, limit)))

    assert (over.status, await over.json()) == (413, {"error": "body larger than 16384 bytes"})
    assert (at_limit.status, (await at_limit.json())["status"]) == (200, "pending")


async def _chunks(data: bytes) -> object:  # an async generator makes aiohttp send Transfer-Encoding: chunked
    for start in range(0, len(data), 1000):
        yield data[start : start + 1000]


@pytest.mark.parametrize("length", [300, None])
async def test_a_trickled_body_is_cut_off_with_408_and_others_are_still_served(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch,
    length: int | None,
) -> None:  # fmt: skip
    monkeypatch.setattr(webhooks, "BODY_TIMEOUT", 0.5)
    pieces = [b"1\r\n{\r\n" if length is None else b"{"] * 100  # one byte every 0.1 s: never finishes in time
    slow = [asyncio.create_task(raw_request(client, post_head(length), pieces, 0.1)) for _ in range(20)]
    await asyncio.sleep(0.2)
    meanwhile = await client.post(PATH, data=body_for(tenants[0], context))

    answers = await asyncio.gather(*slow)
    assert (meanwhile.status, (await meanwhile.json())["status"]) == (200, "pending")
    assert {answer.split(b"\r\n")[0] for answer, _ in answers} == {b"HTTP/1.1 408 Request Timeout"}
    assert {answer.split(b"\r\n\r\n", 1)[1] for answer, _ in answers} == {
        b'{"error": "body not received within 0.5 seconds"}'
    }
    assert max(seconds for _, seconds in answers) < 2.5
    assert await count_by_status(context.db) == {"pending": 1}


async def test_headers_without_the_promised_body_get_408(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "BODY_TIMEOUT", 0.3)

    answer, seconds = await raw_request(client, post_head(250), [], 0)

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert 0.3 <= seconds < 2


async def test_a_body_split_in_pieces_within_the_bound_is_read_whole(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    body = body_for(tenants[0], context)
    pieces = [body[:10], body[10:40], body[40:]]

    answer, _ = await raw_request(client, post_head(len(body)), pieces, 0.1)

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"status": "pending"' in answer
    assert await count_by_status(context.db) == {"pending": 1}
