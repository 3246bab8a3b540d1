"""HTML responses with safe headers; posted forms read safely and refused when another site sent them.
(The browser session and the CSRF tokens: `sessions`.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from redis.exceptions import RedisError

from connectors.errors import MeliError
from worker.connect import messages
from worker.connect.pages import problem_page
from worker.logs import get_logger
from worker.web.edge import cross_site
from worker.web.pages.parts import ConnectParts

log = get_logger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def html(status: int, document: str) -> web.Response:
    return web.Response(status=status, text=document, content_type="text/html", headers=SECURITY_HEADERS)


def problem(status: int, heading: str, message: str) -> web.Response:
    return html(status, problem_page(heading, message))


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={**SECURITY_HEADERS, "Location": location})


def friendly(handler: Handler) -> Handler:
    """A page never shows a stack trace: an outage of the database, Redis or ML becomes a 503 page."""

    @wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (MeliError, RedisError, OSError) as exc:
            log.warning("web.page.unavailable", path=request.path, error=type(exc).__name__)
            return problem(503, *messages.UNAVAILABLE)

    return wrapped


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The posted form; an unreadable one (unknown charset, bad UTF-8, broken multipart) reads as empty, so the
    page answers with its own 400/403 for a missing field instead of a 500."""
    try:
        return await request.post()
    except (ValueError, LookupError):
        return MultiDictProxy(MultiDict())


def from_elsewhere(request: web.Request, parts: ConnectParts) -> web.Response | None:
    """A 403 page for a form another site made the browser post; None for our own pages' forms."""
    if not cross_site(request, parts.options.public_origin):
        return None
    log.info("web.page.cross_site", path=request.path)
    return problem(403, *messages.CROSS_SITE)
