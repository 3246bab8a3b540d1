"""Businesses (our merchants), their API keys and signing salts. Keys are shown once and stored only as a hash.

`rotate_api_key` replaces a key (the old one stops working at once); `new_signing_salt` revokes every browser
session and CSRF token of a business (they are signed with keys derived from the salt)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import update
from sqlmodel import col, select

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import SITES
from worker.clock import utcnow
from worker.store.db import Database
from worker.store.models import Business

API_KEY_PREFIX = "mk_"
# The countries where Mercado Libre has a site: a business sells on one of them.
COUNTRIES = tuple(sorted({site.country for site in SITES.values()}))


def hash_api_key(api_key: str) -> str:
    # API keys are 256-bit random values, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(api_key.encode()).hexdigest()


def _check(name: str, country: str) -> tuple[str, str]:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRecord("name", "must be 1 to 200 characters")
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidRecord("country", f"{country!r} is not a two-letter country code (e.g. CO, AR, MX)")
    if country not in COUNTRIES:
        raise InvalidRecord("country", f"{country!r} has no Mercado Libre site; use one of {', '.join(COUNTRIES)}")
    return name, country


async def create_business(db: Database, name: str, country: str) -> tuple[Business, str]:
    """Create a business; returns it with its new API key (the only time the key is visible)."""
    name, country = _check(name, country)
    api_key = new_api_key()
    business = Business(
        name=name, country=country, api_key_hash=hash_api_key(api_key), signing_salt=new_salt(), created_at=utcnow()
    )
    async with db.transaction() as session:
        session.add(business)
    return business, api_key


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_salt() -> str:
    return secrets.token_hex(16)


async def rotate_api_key(db: Database, business_id: int) -> str | None:
    """A new API key for the business (the old one stops working now); None when there is no such business."""
    api_key = new_api_key()
    statement = update(Business).where(col(Business.id) == business_id).values(api_key_hash=hash_api_key(api_key))
    async with db.transaction() as session:
        found = (await session.exec(statement)).rowcount
    return api_key if found else None


async def new_signing_salt(db: Database, business_id: int) -> bool:
    """Revoke every session and CSRF token of the business; False when there is no such business."""
    statement = update(Business).where(col(Business.id) == business_id).values(signing_salt=new_salt())
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount)


async def business_for_api_key(db: Database, api_key: str) -> Business | None:
    async with db.transaction() as session:
        result = await session.exec(select(Business).where(Business.api_key_hash == hash_api_key(api_key)))
        return result.first()


async def get_business(db: Database, business_id: int) -> Business | None:
    if not 0 < business_id < 2**31:  # no such row, and PostgreSQL would refuse the parameter
        return None
    async with db.transaction() as session:
        return await session.get(Business, business_id)
