"""What every request and answer of the web process goes through: who the client is, whether a form post came
from our own pages, whether a request may see the internal routes, and the headers every answer carries."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from ipaddress import ip_address

from aiohttp import web

from worker.settings import Network

SERVER_NAME = "meli-events"  # no framework or language version
HSTS = "max-age=31536000; includeSubDomains"
FORWARDED_FOR = "X-Forwarded-For"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def client_address(request: web.Request, trusted_proxies: int) -> str:
    """The client's address: the TCP peer, or with `trusted_proxies` reverse proxies in front of us, the address
    the outermost of them saw (X-Forwarded-For read that many hops from the right; the rest is client-made)."""
    peer = request.remote or ""
    if trusted_proxies == 0:
        return peer
    hops = [hop.strip() for hop in ",".join(request.headers.getall(FORWARDED_FOR, [])).split(",") if hop.strip()]
    return hops[-trusted_proxies] if len(hops) >= trusted_proxies else peer


def allowed_source(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether `address` is in one of `networks` (no networks: any address)."""
    if not networks:
        return True
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def cross_site(request: web.Request, origin: str) -> bool:
    """A request another site made the browser send. `Sec-Fetch-Site` when the browser sends it; else `Origin`
    (browsers send `Origin: null` for our own forms under `Referrer-Policy: no-referrer`, so null proves nothing
    either way: the form's CSRF token decides)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    sent = request.headers.get("Origin")
    return sent is not None and sent != "null" and sent != origin


@dataclass(frozen=True)
class InternalAccess:
    """Who may reach the internal routes: requests on the internal listener's port, or with the internal token."""

    port: int | None
    token: str | None


def internal_request(request: web.Request, internal: InternalAccess) -> bool:
    """Arrived on the internal listener, or carries the internal token."""
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    if internal.port and isinstance(sockname, tuple) and sockname[1] == internal.port:
        return True
    token = internal.token.encode() if internal.token else None
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    return token is not None and scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token)


def internal_only(internal: InternalAccess, handler: Handler) -> Handler:
    """`handler` for internal requests; a plain 404 for everyone else (the route does not exist for them)."""

    @wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if not internal_request(request, internal):
            raise web.HTTPNotFound()
        return await handler(request)

    return guarded


def secure_headers(https_only: bool) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """`on_response_prepare`: every answer names no versions, is never sniffed or cached, and asks for HSTS
    where we serve https."""

    async def prepare(_request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers["Server"] = SERVER_NAME
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Cache-Control", "no-store")
        if https_only:
            headers.setdefault("Strict-Transport-Security", HSTS)

    return prepare
