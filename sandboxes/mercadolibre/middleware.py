"""One middleware for every request: Bearer lookup, faults/budgets, ML-style errors, request log.

The control API (`/_sandbox/...`) and the HTML authorization page get no faults. Any exception becomes
an ML-style JSON error; a traceback never reaches the client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from sandboxes.mercadolibre.errors import MLError, invalid_token, missing_token
from sandboxes.mercadolibre.requestlog import Entry
from sandboxes.mercadolibre.state import SANDBOX

logger = logging.getLogger("meli.sandbox")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# request keys set by the middleware
USER: web.RequestKey[int | None] = web.RequestKey("ml_user", int | None)  # type: ignore[arg-type]
AUTH: web.RequestKey[str] = web.RequestKey("ml_auth", str)


def _http_error(exc: web.HTTPException) -> MLError:
    if exc.status == 404:
        return MLError(404, "not_found", "resource not found")
    if exc.status == 405:
        return MLError(405, "method_not_allowed", "method not allowed")
    return MLError(exc.status, "bad_request" if exc.status < 500 else "internal_server_error", exc.reason)


def _authenticate(request: web.Request) -> int | None:
    header = request.headers.get("Authorization")
    if not header:
        request[AUTH] = "missing"
        return None
    scheme, _, token = header.partition(" ")
    user = request.app[SANDBOX].tokens.user_for(token.strip()) if scheme.lower() == "bearer" else None
    request[AUTH] = "ok" if user is not None else "invalid"
    return user


def require_user(request: web.Request) -> int:
    """The seller (or buyer) behind the Bearer token, or a 401 ML-style error."""
    user = request.get(USER)
    if not isinstance(user, int):
        raise missing_token() if request.get(AUTH) == "missing" else invalid_token()
    return user


def optional_user(request: web.Request) -> int | None:
    """Public endpoints: no header is fine, a bad header is still a 401."""
    if request.get(AUTH) == "invalid":
        raise invalid_token()
    return request.get(USER)


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    sandbox = request.app[SANDBOX]
    path = request.path
    user: int | None = None
    status = 500
    try:
        if not path.startswith(("/_sandbox", "/auth.")):
            user = request[USER] = _authenticate(request)
            if sandbox.gate.active():
                await sandbox.gate.check(user, oauth=path == "/oauth/token", path=path)
        response = await handler(request)
        status = response.status
        return response
    except MLError as exc:
        status = exc.status
        return exc.response()
    except web.HTTPException as exc:
        error = _http_error(exc)
        status = error.status
        return error.response()
    except asyncio.CancelledError:
        status = 499
        raise
    except Exception:
        logger.exception("ml.sandbox.unhandled", extra={"path": path})
        return MLError(500, "internal_server_error", "Internal Server Error").response()
    finally:
        sandbox.log.add(Entry(sandbox.clock(), request.method, path, request.query_string, status, user))
