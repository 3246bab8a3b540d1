"""No credential reaches the log, whichever path writes it.

aiohttp answers a malformed request line itself (400) and logs the error with the raw header it could not
parse: an `Authorization` header with a control character put the API key in the server log, because only
structlog fields were masked. The app here runs as `meli serve` runs it (its logging configuration, a real
listening socket); malformed and well-formed requests carry an API key, a session cookie and ML tokens, and
every byte logged (stderr and the stdlib records) is scanned for them.
"""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from aiohttp import web

from tests.fuzz.live import Tenant
from worker.context import AppContext
from worker.logs import get_logger
from worker.web.app import create_app

SECRETS = {
    "api key": "mk_Zx81SecretApiKeyValue0123456789abcdefABCDEF",
    "session": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2VjcmV0LXNlc3Npb24tc2lnbmF0dXJl",
    # made-up values in ML's token formats, assembled here so no literal in the repository looks like a token
    "access token": "-".join(["APP_USR", "1234567890123456", "120419", "secretaccess"]),
    "refresh token": "-".join(["TG", "65702c1d2e3f4a5b6c7d8e9f", "700000001"]),
}


def raw_requests(port: int) -> list[bytes]:
    host = f"Host: 127.0.0.1:{port}\r\n".encode()
    key, session, access = (SECRETS[name].encode() for name in ("api key", "session", "access token"))
    return [
        b"GET /api/v1/accounts HTTP/1.1\r\n" + host + b"Authorization: Bearer " + key + b"\x01x\r\n\r\n",
        b"GET /api/v1/accounts HTTP/1.1\r\n" + host + b"Authorization : Bearer " + key + b"\r\n\r\n",
        b"GET /accounts HTTP/1.1\r\n" + host + b"Cookie: meli_session=" + session + b"\x7f\r\n\r\n",
        b"GET /x?access_token=" + access + b" HTTP/1.1\r\n" + host + b"X: \x00\r\n\r\n",
    ]


async def send(port: int, raw: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    answer = await reader.read(4096)
    writer.close()
    return answer


async def test_malformed_and_wellformed_requests_log_no_credential(
    context: AppContext, tenants: tuple[Tenant, Tenant], log_output: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    runner = web.AppRunner(create_app(context), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        answers = [await send(port, raw) for raw in raw_requests(port)]
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {SECRETS['api key']}", "Cookie": f"meli_session={SECRETS['session']}"}
            async with http.get(f"http://127.0.0.1:{port}/api/v1/accounts", headers=headers) as response:
                wellformed = response.status
    finally:
        await runner.cleanup()
    get_logger("test").warning(
        "probe", error=f"Authorization: Bearer {SECRETS['api key']}", detail=SECRETS["refresh token"]
    )

    logged = log_output.getvalue() + caplog.text
    assert [answer.split(b"\r\n")[0].split(b" ")[1] for answer in answers] == [b"400"] * 4
    assert wellformed == 401
    assert "Error handling request" in logged  # aiohttp did log the malformed requests
    assert '"event": "probe"' in logged
    assert [name for name, secret in SECRETS.items() if secret in logged] == []
