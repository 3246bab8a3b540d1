"""Connect and owner links as rows: the URL carries a random token, the row its SHA-256.

A link can be spent (a successful connect, or an owner link opened) and revoked (one, or every open link of a
business); either makes it worthless, whatever its expiry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select

from worker.store.db import Database
from worker.store.models import ConnectLinkRow

LINK_SHAPE = "^[A-Za-z0-9_-]{43}$"
_TOKEN = re.compile(LINK_SHAPE)


class LinkKind(StrEnum):
    CONNECT = "connect"  # connects one seller; spent by a successful connect
    OWNER = "owner"  # opens a browser session over every account of the business; spent when opened


def hash_token(token: str) -> str:
    # 256-bit random tokens: a fast hash is enough (nothing to stretch).
    return hashlib.sha256(token.encode()).hexdigest()


async def create_link(
    db: Database, business_id: int, kind: LinkKind, site_id: str | None, *, now: datetime, expires_at: datetime
) -> tuple[ConnectLinkRow, str]:
    """A new link row and its token (the only time the token is visible)."""
    token = secrets.token_urlsafe(32)
    row = ConnectLinkRow(
        token_hash=hash_token(token), business_id=business_id, kind=kind.value, site_id=site_id, created_at=now,
        expires_at=expires_at,
    )  # fmt: skip
    async with db.transaction() as session:
        session.add(row)
    return row, token


def well_formed_link(token: str | None) -> bool:
    return token is not None and _TOKEN.fullmatch(token) is not None


async def find_link(db: Database, token: str | None) -> ConnectLinkRow | None:
    if token is None or not well_formed_link(token):
        return None
    async with db.transaction() as session:
        return (
            await session.exec(select(ConnectLinkRow).where(ConnectLinkRow.token_hash == hash_token(token)))
        ).first()


async def get_link(db: Database, link_id: int) -> ConnectLinkRow | None:
    if not 0 < link_id < 2**31:
        return None
    async with db.transaction() as session:
        return await session.get(ConnectLinkRow, link_id)


async def spend_link(db: Database, link_id: int, now: datetime) -> bool:
    """Mark a link used; False when it was already used or revoked (only one caller can spend it)."""
    statement = (
        update(ConnectLinkRow)
        .where(col(ConnectLinkRow.id) == link_id, col(ConnectLinkRow.used_at).is_(None))
        .where(col(ConnectLinkRow.revoked_at).is_(None))
        .values(used_at=now)
    )
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount == 1)


async def revoke_link(db: Database, business_id: int, link_id: int, now: datetime) -> bool:
    """Revoke one link of the business; False when the business has no such link."""
    if not 0 < link_id < 2**31:
        return False
    statement = (
        update(ConnectLinkRow)
        .where(col(ConnectLinkRow.id) == link_id, col(ConnectLinkRow.business_id) == business_id)
        .values(revoked_at=now)
    )
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount == 1)


async def revoke_business_links(db: Database, business_id: int, now: datetime) -> int:
    """Revoke every link of the business that is still open; returns how many."""
    statement = (
        update(ConnectLinkRow)
        .where(col(ConnectLinkRow.business_id) == business_id, col(ConnectLinkRow.revoked_at).is_(None))
        .where(col(ConnectLinkRow.used_at).is_(None), col(ConnectLinkRow.expires_at) > now)
        .values(revoked_at=now)
    )
    async with db.transaction() as session:
        return int((await session.exec(statement)).rowcount)
