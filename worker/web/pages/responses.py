"""HTML responses with safe headers, the browser session (signed cookie) and per-account CSRF tokens.

A browser proves which business it acts for with `meli_session`, a signed JWT cookie (HttpOnly,
SameSite=Lax, 12 hours) that the OAuth callback sets after a successful connect. Forms that change
something carry a CSRF token signed for the session id and the account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from redis.exceptions import RedisError

from connectors.errors import MeliError
from worker.connect.pages import problem_page
from worker.connect.signing import BadSignedToken
from worker.connect.state import random_token, well_formed
from worker.logs import get_logger
from worker.store.models import utcnow
from worker.web.pages.parts import ConnectParts

log = get_logger(__name__)

SESSION_COOKIE = "meli_session"
SESSION_TTL = timedelta(hours=12)
CSRF_TTL = timedelta(hours=2)
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
            return problem(503, "Please try again in a few minutes", "A service we rely on did not answer.")

    return wrapped


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The posted form; an unreadable one (unknown charset, bad UTF-8, broken multipart) reads as empty, so the
    page answers with its own 400/403 for a missing field instead of a 500."""
    try:
        return await request.post()
    except (ValueError, LookupError):
        return MultiDictProxy(MultiDict())


def set_cookie(response: web.Response, parts: ConnectParts, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="Lax", secure=parts.secure_cookies
    )


@dataclass(frozen=True)
class Session:
    business_id: int
    sid: str


def read_session(request: web.Request, parts: ConnectParts) -> Session | None:
    try:
        claims = parts.sessions.verify(request.cookies.get(SESSION_COOKIE), now=utcnow())
    except BadSignedToken:
        return None
    subject, sid = claims.get("sub"), claims.get("sid")
    if not isinstance(subject, str) or not subject.isdigit() or not isinstance(sid, str) or not well_formed(sid):
        return None
    return Session(int(subject), sid)


def start_session(request: web.Request, response: web.Response, parts: ConnectParts, business_id: int) -> None:
    """Let this browser see the business's accounts; keeps the session id when it already acts for it."""
    current = read_session(request, parts)
    sid = current.sid if current and current.business_id == business_id else random_token(32)
    token = parts.sessions.sign({"sub": str(business_id), "sid": sid}, now=utcnow(), ttl=SESSION_TTL)
    set_cookie(response, parts, SESSION_COOKIE, token, int(SESSION_TTL.total_seconds()))


def csrf_token(parts: ConnectParts, session: Session, account_id: int) -> str:
    return parts.csrf.sign({"sid": session.sid, "acc": account_id}, now=utcnow(), ttl=CSRF_TTL)


def csrf_valid(parts: ConnectParts, session: Session, account_id: int, token: object) -> bool:
    if not isinstance(token, str):
        return False
    try:
        claims = parts.csrf.verify(token, now=utcnow())
    except BadSignedToken:
        return False
    return claims.get("sid") == session.sid and claims.get("acc") == account_id
