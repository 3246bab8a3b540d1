"""Connect links: a signed URL that lets whoever holds it connect a seller account to one business.

The token is a JWT (see `signing`) with the business id, an optional preselected site and an expiry
(`MELI_CONNECT_LINK_TTL_DAYS`, 7 days by default). Nothing is stored: the signature is the proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import SITES
from worker.connect.signing import BadSignedToken, Signer
from worker.settings import Settings

PURPOSE = "connect-link"
CONNECT_PATH = "/connect"


@dataclass(frozen=True)
class ConnectLink:
    url: str
    token: str
    business_id: int
    site_id: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ConnectGrant:
    """What a valid connect token says."""

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


class ConnectLinks:
    def __init__(self, settings: Settings) -> None:
        self._signer = Signer(settings.secret_key.get_secret_value(), PURPOSE)
        self._base_url = settings.public_base_url.rstrip("/")
        self._ttl = timedelta(days=settings.connect_link_ttl_days)

    def issue(
        self, business_id: int, site_id: str | None, *, now: datetime, ttl: timedelta | None = None
    ) -> ConnectLink:
        site = check_site(site_id)
        lifetime = ttl or self._ttl
        claims: dict[str, object] = {"sub": str(business_id)}
        if site:
            claims["site"] = site
        token = self._signer.sign(claims, now=now, ttl=lifetime)
        url = f"{self._base_url}{CONNECT_PATH}?{urlencode({'token': token})}"
        return ConnectLink(url, token, business_id, site, now.replace(microsecond=0) + lifetime)

    def read(self, token: str | None, *, now: datetime) -> ConnectGrant:
        """The grant of a valid token; BadSignedToken / ExpiredSignedToken otherwise."""
        claims = self._signer.verify(token, now=now)
        subject, site = claims.get("sub"), claims.get("site")
        if not isinstance(subject, str) or not subject.isdigit():
            raise BadSignedToken("connect-link token has no business")
        if site is not None and (not isinstance(site, str) or site not in SITES):
            raise BadSignedToken("connect-link token names an unknown site")
        return ConnectGrant(int(subject), site)
