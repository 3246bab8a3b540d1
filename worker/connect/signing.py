"""Signed, expiring tokens (JWT, HS256, via joserfc): no home-made crypto.

Each purpose (connect link, browser session, CSRF) gets its own key, derived from `MELI_SECRET_KEY` with
HKDF, and its own audience, so a token made for one purpose is refused for every other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from connectors.errors import MeliError

ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 4096


class BadSignedToken(MeliError):
    """Missing, malformed, tampered with, or made for another purpose."""


class ExpiredSignedToken(BadSignedToken):
    """Well signed but past its expiry."""


def derive_key(secret: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"meli:{purpose}".encode()).derive(
        secret.encode()
    )


class Signer:
    """Signs and verifies the claims of one purpose."""

    def __init__(self, secret: str, purpose: str) -> None:
        self.purpose = purpose
        self._key = OctKey.import_key(derive_key(secret, purpose))

    def sign(self, claims: dict[str, Any], *, now: datetime, ttl: timedelta) -> str:
        issued = int(now.timestamp())
        payload = {**claims, "aud": self.purpose, "iat": issued, "exp": issued + int(ttl.total_seconds())}
        return jwt.encode({"alg": ALGORITHM}, payload, self._key, algorithms=[ALGORITHM])

    def verify(self, token: str | None, *, now: datetime) -> dict[str, Any]:
        """The claims of a valid token; BadSignedToken or ExpiredSignedToken otherwise."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise BadSignedToken(f"{self.purpose} token is missing or too long")
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError):
            raise BadSignedToken(f"{self.purpose} token is not valid") from None
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            aud={"essential": True, "value": self.purpose},
            exp={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except ExpiredTokenError:
            raise ExpiredSignedToken(f"{self.purpose} token has expired") from None
        except JoseError:
            raise BadSignedToken(f"{self.purpose} token is not valid") from None
        return dict(decoded.claims)
