"""Where outbound webhooks may go: https URLs whose host resolves only to public addresses, unless
MELI_OUTBOUND_WEBHOOKS_ALLOW_LOCAL allows http and loopback, private or link-local addresses. The URL is checked
when an endpoint is saved, and every connection checks again what the name resolves to then (a name that
later points inside the network is refused), through `GuardedResolver`."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from connectors.errors import InvalidRecord

MAX_URL = 2000


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def parse_url(url: str, allow_local: bool) -> tuple[str, int]:
    """The host and port of an acceptable URL; InvalidRecord("url", why) otherwise."""
    parts = urlsplit(url.strip())
    schemes = ("https", "http") if allow_local else ("https",)
    if len(url) > MAX_URL or parts.scheme not in schemes or not parts.hostname:
        raise InvalidRecord("url", f"must be an {' or '.join(schemes)} URL of at most {MAX_URL} characters")
    if parts.username is not None or parts.password is not None:
        raise InvalidRecord("url", "must not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidRecord("url", "has a port that is not valid") from None
    return parts.hostname, port


async def check_url(url: str, allow_local: bool) -> str:
    """The URL, once its host resolves and (unless allowed) only to public addresses."""
    host, port = parse_url(url, allow_local)
    if allow_local:
        return url.strip()
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise InvalidRecord("url", f"the host {host} does not resolve") from None
        addresses = [str(info[4][0]) for info in found]
    if not addresses or not all(is_public(address) for address in addresses):
        raise InvalidRecord("url", "resolves to a loopback, private or link-local address")
    return url.strip()


class GuardedResolver(AbstractResolver):
    """Resolves as aiohttp does, and refuses a name that resolves to an address that is not public."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not all(is_public(entry["host"]) for entry in found):
            raise OSError(f"{host} resolves to an address that is not public")
        return found

    async def close(self) -> None:
        await self._inner.close()


def literal_refused(url: str, allow_local: bool) -> bool:
    """An address in the URL itself (aiohttp asks no resolver for it) that is not public."""
    host = urlsplit(url).hostname or ""
    literal = _literal(host)
    return not allow_local and literal is not None and not is_public(literal)
