"""The browser's session and the tokens our forms carry, all signed with the business's own keys.

A session (`meli_session`, a signed JWT cookie: HttpOnly, SameSite=Lax, Secure in production, 12 hours) says
which business the browser acts for and which accounts it may see: the accounts this browser connected, or,
for an owner session (opened with an owner link minted from the API or the CLI), every account of the
business. Managing every account needs the API key or an owner link; a connect link only ever gives a session
over the seller connected with it.

Forms carry a CSRF token: the account forms one signed for the session id and the account; the connect forms
one signed for the browser (a digest of its `meli_connect` cookie) and what the form acts on. A new signing
salt (`meli business revoke`) makes every session and token of the business worthless at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from worker.clock import utcnow
from worker.connect.signing import BadSignedToken, BusinessKeys
from worker.connect.state import random_token, well_formed
from worker.store.businesses import get_business
from worker.store.models import Business
from worker.web.pages.parts import ConnectParts

SESSION_COOKIE = "meli_session"
BROWSER_COOKIE = "meli_connect"
SESSION_TTL = timedelta(hours=12)
BROWSER_TTL = timedelta(days=1)
CSRF_TTL = timedelta(hours=2)
MAX_ACCOUNTS = 50  # accounts one browser session names (the newest); an owner session names none


@dataclass(frozen=True)
class Session:
    business: Business
    sid: str
    accounts: frozenset[int]
    owner: bool

    @property
    def business_id(self) -> int:
        assert self.business.id is not None
        return self.business.id

    def covers(self, account_id: int) -> bool:
        return self.owner or account_id in self.accounts


def set_cookie(response: web.StreamResponse, parts: ConnectParts, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="Lax", secure=parts.secure_cookies
    )


def _accounts(claim: object) -> frozenset[int] | None:
    if not isinstance(claim, list) or len(claim) > MAX_ACCOUNTS:
        return None
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in claim):
        return None
    return frozenset(claim)


async def read_session(request: web.Request, parts: ConnectParts) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    business_id = BusinessKeys.business_of(token)
    business = await get_business(parts.db, business_id) if business_id is not None else None
    if business is None:
        return None
    try:
        claims = parts.keys.signer(business, "session").verify(token, now=utcnow())
    except BadSignedToken:
        return None
    sid, accounts, owner = claims.get("sid"), _accounts(claims.get("acc", [])), claims.get("own", False)
    if claims.get("sub") != str(business_id) or not isinstance(sid, str) or not well_formed(sid):
        return None
    if accounts is None or not isinstance(owner, bool):
        return None
    return Session(business, sid, accounts, owner)


def session_token(keys: BusinessKeys, business: Business, sid: str, accounts: frozenset[int], owner: bool) -> str:
    claims = {"sub": str(business.id), "sid": sid, "acc": sorted(accounts)[-MAX_ACCOUNTS:], "own": owner}
    return keys.signer(business, "session").sign(claims, now=utcnow(), ttl=SESSION_TTL)


async def start_session(
    request: web.Request,
    response: web.StreamResponse,
    parts: ConnectParts,
    business: Business,
    *,
    account_id: int | None = None,
    owner: bool = False,
) -> None:
    """Let this browser see `account_id` (or, `owner`, every account) of the business, keeping what its session
    of the same business already covered; a session of another business is replaced."""
    current = await read_session(request, parts)
    same = current is not None and current.business_id == business.id
    sid = current.sid if current is not None and same else random_token(32)
    accounts = current.accounts if current is not None and same else frozenset()
    accounts |= {account_id} if account_id is not None else set()
    owner = owner or (current is not None and same and current.owner)
    token = session_token(parts.keys, business, sid, accounts, owner)
    set_cookie(response, parts, SESSION_COOKIE, token, int(SESSION_TTL.total_seconds()))


def csrf_token(parts: ConnectParts, session: Session, account_id: int) -> str:
    return parts.keys.signer(session.business, "csrf").sign(
        {"sid": session.sid, "acc": account_id}, now=utcnow(), ttl=CSRF_TTL
    )


def csrf_valid(parts: ConnectParts, session: Session, account_id: int, token: object) -> bool:
    if not isinstance(token, str):
        return False
    try:
        claims = parts.keys.signer(session.business, "csrf").verify(token, now=utcnow())
    except BadSignedToken:
        return False
    return claims.get("sid") == session.sid and claims.get("acc") == account_id


def browser_of(request: web.Request) -> str | None:
    """The `meli_connect` cookie: a random id of this browser, for the connect flow."""
    browser = request.cookies.get(BROWSER_COOKIE)
    return browser if well_formed(browser) else None


def keep_browser(response: web.StreamResponse, parts: ConnectParts, browser: str) -> None:
    set_cookie(response, parts, BROWSER_COOKIE, browser, int(BROWSER_TTL.total_seconds()))


def _digest(browser: str) -> str:
    return hashlib.sha256(browser.encode()).hexdigest()[:32]


def form_token(parts: ConnectParts, business: Business, purpose: str, browser: str, subject: str) -> str:
    """A CSRF token for a connect form: valid only with this browser's cookie, for `subject`."""
    claims = {"b": _digest(browser), "s": subject}
    return parts.keys.signer(business, purpose).sign(claims, now=utcnow(), ttl=CSRF_TTL)


def form_token_valid(
    parts: ConnectParts, business: Business, purpose: str, browser: str | None, subject: str, token: object
) -> bool:
    if browser is None or not isinstance(token, str):
        return False
    try:
        claims = parts.keys.signer(business, purpose).verify(token, now=utcnow())
    except BadSignedToken:
        return False
    return claims.get("b") == _digest(browser) and claims.get("s") == subject
