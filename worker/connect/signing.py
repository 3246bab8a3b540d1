"""Signed, expiring tokens (JWT, HS256, via joserfc): no home-made crypto.

Each purpose (browser session, CSRF, ...) gets its own key, derived from `MELI_SECRET_KEY` with HKDF, and its
own audience, so a token made for one purpose is refused for every other. `BusinessKeys` derives one key per
business and purpose, mixing in the business's signing salt: a token of one business never verifies for
another, and a new salt (`meli business revoke`) revokes every token of that business at once. Such tokens
name their business in the `kid` header, so the verifier knows which key to use.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from connectors.errors import MeliError
from worker.store.models import Business

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
    """Signs and verifies the claims of one purpose (within `scope`, e.g. one business and its salt)."""

    def __init__(self, secret: str, purpose: str, scope: str = "", kid: str | None = None) -> None:
        self.purpose = purpose
        self._key = OctKey.import_key(derive_key(secret, f"{purpose}:{scope}" if scope else purpose))
        self._header = {"alg": ALGORITHM} | ({"kid": kid} if kid else {})

    def sign(self, claims: dict[str, Any], *, now: datetime, ttl: timedelta) -> str:
        issued = int(now.timestamp())
        payload = {**claims, "aud": self.purpose, "iat": issued, "exp": issued + int(ttl.total_seconds())}
        return jwt.encode(self._header, payload, self._key, algorithms=[ALGORITHM])

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


class BusinessKeys:
    """The signers of each business and purpose."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def signer(self, business: Business, purpose: str) -> Signer:
        assert business.id is not None
        scope = f"{business.id}:{business.signing_salt}"
        return Signer(self._secret, purpose, scope, kid=str(business.id))

    @staticmethod
    def business_of(token: str | None) -> int | None:
        """The business a token names (unverified: only says which key to verify it with)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError, TypeError):
            return None
        return int(kid) if isinstance(kid, str) and kid.isascii() and kid.isdigit() and len(kid) < 10 else None
