"""Composition root of the fake Hellotext: `create_hellotext_app(state, faults)`.

Routes: the Hellotext API under `/v1/` (Bearer token, faults apply) and the control API and oracle under
`/_sandbox/` (no auth, no faults, never part of Hellotext):
- `POST /_sandbox/accounts` `{"token", "name"}` opens a Hellotext business reached with that private token;
- `DELETE /_sandbox/accounts/{token}` revokes the token (later calls get 401);
- `GET /_sandbox/oracle` what every business holds, by name;
- `PUT /_sandbox/faults` replaces the faults (fields of `Faults`; `script` is a list of `{fault, method, path}`).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from sandboxes.hellotext.api import STATE, add_api_routes
from sandboxes.hellotext.faults import Fault, Faults, ScriptedFault
from sandboxes.hellotext.state import HellotextState

FAULTS = web.AppKey("hellotext_faults", Faults)
HELLOTEXT = STATE
PROXY_TIMEOUT = "<html><body><h1>504 Gateway Time-out</h1></body></html>"


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/v1/"):
        return await handler(request)
    faults = request.app[FAULTS]
    await faults.delay()
    fault = faults.draw(request.method, request.path)
    if fault is Fault.RATE_LIMITED:
        body = {"errors": [{"type": "too_many_requests", "message": "Rate limit exceeded", "parameter": None}]}
        return web.json_response(body, status=429, headers={"Retry-After": str(faults.retry_after)})
    if fault is Fault.SERVER_ERROR:
        return web.Response(status=500, text="Internal Server Error")
    if fault is not Fault.LOST:
        return await handler(request)
    with contextlib.suppress(web.HTTPException):  # the work is done and kept; the answer is lost on the way back
        await handler(request)
    await asyncio.sleep(faults.lost_hang_s)
    return web.Response(status=504, text=PROXY_TIMEOUT, content_type="text/html")


async def add_account(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[STATE].add_account(str(body["token"]), str(body.get("name", "Hellotext business")))
    return web.json_response({"ok": True})


async def revoke_account(request: web.Request) -> web.Response:
    return web.json_response({"revoked": request.app[STATE].revoke(request.match_info["token"])})


async def oracle(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response({account.name: state.oracle(account) for account in state.accounts.values()})


async def set_faults(request: web.Request) -> web.Response:
    vars(request.app[FAULTS]).update(vars(faults_from_json(await request.json())))  # the app is frozen by now
    return web.json_response({"ok": True})


def faults_from_json(body: dict[str, Any]) -> Faults:
    script = [ScriptedFault(Fault(item["fault"]), item.get("method", "POST"), item.get("path", ""))
              for item in body.pop("script", [])]  # fmt: skip
    return Faults(**body, script=script)


def create_hellotext_app(state: HellotextState | None = None, faults: Faults | None = None) -> web.Application:
    app = web.Application(middlewares=[fault_middleware])
    app[STATE] = state or HellotextState()
    app[FAULTS] = faults or Faults()
    add_api_routes(app.router)
    app.router.add_post("/_sandbox/accounts", add_account)
    app.router.add_delete("/_sandbox/accounts/{token}", revoke_account)
    app.router.add_get("/_sandbox/oracle", oracle)
    app.router.add_put("/_sandbox/faults", set_faults)
    return app
