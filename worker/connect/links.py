"""Connect links and owner links: URLs that let whoever holds them act for one business.

A connect link (`MELI_CONNECT_LINK_TTL_HOURS`, 24 h by default) connects a seller account to the business; a
successful connect spends it. An owner link (`MELI_OWNER_LINK_TTL_MINUTES`, 15 min) opens a browser session
over every account of the business, once. Both are rows (`worker.store.links`): the URL carries a random
token, and a link can be revoked (`DELETE /api/v1/connect-links/{id}`, `meli business revoke`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from connectors.errors import InvalidRecord, MeliError
from connectors.mercadolibre.constants import SITES
from worker.store.db import Database
from worker.store.links import LinkKind, create_link, find_link, get_link, spend_link, well_formed_link
from worker.store.models import ConnectLinkRow

CONNECT_PATH = "/connect"
OWNER_PATH = "/owner"
PATHS = {LinkKind.CONNECT: CONNECT_PATH, LinkKind.OWNER: OWNER_PATH}


class LinkProblem(StrEnum):
    INVALID = "invalid"  # not the shape of a link token (missing, cut short, changed)
    UNKNOWN = "unknown"  # the shape of one, but no such link of this kind
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class LinkRefused(MeliError):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(f"link refused: {problem.value}")
        self.problem = problem


@dataclass(frozen=True)
class ConnectLink:
    id: int
    url: str
    token: str
    business_id: int
    site_id: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ConnectGrant:
    """What a valid link allows."""

    link_id: int
    business_id: int
    site_id: str | None


def check_site(site_id: str | None) -> str | None:
    """The site id upper-cased, or InvalidRecord when we do not know it."""
    if site_id is None:
        return None
    normalized = site_id.strip().upper()
    if normalized not in SITES:
        raise InvalidRecord("site", f"{site_id!r} is not a Mercado Libre site ({', '.join(sorted(SITES))})")
    return normalized


def _problem(row: ConnectLinkRow | None, kind: LinkKind, now: datetime, check_expiry: bool) -> LinkProblem | None:
    if row is None or row.kind != kind.value:
        return LinkProblem.UNKNOWN
    if row.revoked_at is not None:
        return LinkProblem.REVOKED
    if row.used_at is not None:
        return LinkProblem.USED
    if check_expiry and row.expires_at <= now:
        return LinkProblem.EXPIRED
    return None


@dataclass(frozen=True)
class LinkOptions:
    public_base_url: str
    connect_link_ttl_hours: int
    owner_link_ttl_minutes: int


class ConnectLinks:
    def __init__(self, db: Database, options: LinkOptions) -> None:
        self._db = db
        self._base_url = options.public_base_url.rstrip("/")
        self._ttl = {
            LinkKind.CONNECT: timedelta(hours=options.connect_link_ttl_hours),
            LinkKind.OWNER: timedelta(minutes=options.owner_link_ttl_minutes),
        }

    async def issue(
        self,
        business_id: int,
        site_id: str | None,
        *,
        now: datetime,
        ttl: timedelta | None = None,
        kind: LinkKind = LinkKind.CONNECT,
    ) -> ConnectLink:
        site = check_site(site_id)
        expires_at = now.replace(microsecond=0) + (ttl or self._ttl[kind])
        row, token = await create_link(self._db, business_id, kind, site, now=now, expires_at=expires_at)
        assert row.id is not None
        url = f"{self._base_url}{PATHS[kind]}?{urlencode({'token': token})}"
        return ConnectLink(row.id, url, token, business_id, site, expires_at)

    async def read(self, token: str | None, *, now: datetime, kind: LinkKind = LinkKind.CONNECT) -> ConnectGrant:
        """The grant of a usable link; LinkRefused saying why not otherwise."""
        if not well_formed_link(token):
            raise LinkRefused(LinkProblem.INVALID)
        row = await find_link(self._db, token)
        problem = _problem(row, kind, now, check_expiry=True)
        if problem is not None:
            raise LinkRefused(problem)
        assert row is not None and row.id is not None
        return ConnectGrant(row.id, row.business_id, row.site_id)

    async def still_usable(self, link_id: int, now: datetime) -> bool:
        """At the end of a sign-in it started: not revoked or used meanwhile (expiring meanwhile is fine)."""
        return _problem(await get_link(self._db, link_id), LinkKind.CONNECT, now, check_expiry=False) is None

    async def spend(self, link_id: int, now: datetime) -> bool:
        return await spend_link(self._db, link_id, now)
