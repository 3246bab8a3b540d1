"""The connect flow without HTTP: start (state + PKCE -> authorization URL) and finish (the callback).

`finish` refuses, with a `ConnectFailed` naming the problem, every callback that is not the answer to an
attempt this browser started: unknown, expired or replayed state, another browser, a code ML refuses (e.g.
reused), a token that belongs to someone else than `/users/me`, or a seller already connected to another
business (nothing is stored then). A merchant who reconnects the same seller gets new tokens on the same
account, back to `active`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.errors import Conflict, MeliError, RemoteError, TransientError
from connectors.mercadolibre.constants import SITES
from worker.connect.ml_oauth import MlOAuthClient
from worker.connect.state import OAuthStates, PendingConnect
from worker.logs import get_logger
from worker.store.accounts import link_account
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import MlAccount, utcnow

log = get_logger(__name__)
MAX_CODE_LENGTH = 512


class Problem(StrEnum):
    BAD_STATE = "bad_state"
    OTHER_BROWSER = "other_browser"
    DENIED = "denied"
    CODE_REJECTED = "code_rejected"
    WRONG_USER = "wrong_user"
    SELLER_TAKEN = "seller_taken"
    ML_UNAVAILABLE = "ml_unavailable"


class ConnectFailed(MeliError):
    def __init__(self, problem: Problem, pending: PendingConnect | None = None) -> None:
        super().__init__(f"connect failed: {problem.value}")
        self.problem = problem
        self.business_id = pending.business_id if pending else None
        self.site_id = pending.site_id if pending else None


@dataclass(frozen=True)
class CallbackQuery:
    code: str | None
    state: str | None
    error: str | None


class ConnectFlow:
    def __init__(self, db: Database, cipher: TokenCipher, states: OAuthStates, oauth: MlOAuthClient) -> None:
        self._db = db
        self._cipher = cipher
        self._states = states
        self._oauth = oauth

    async def start(self, business_id: int, site_id: str, browser: str) -> str:
        """Remember a new attempt of this browser and return the ML authorization URL for it."""
        started = await self._states.begin(business_id, site_id, browser)
        log.info("connect.started", business_id=business_id, site_id=site_id)
        return self._oauth.authorization_url(SITES[site_id], started.state, started.code_challenge)

    async def finish(self, query: CallbackQuery, browser: str | None) -> MlAccount:
        pending = await self._states.consume(query.state)
        if pending is None:
            raise self._refuse(Problem.BAD_STATE)
        if not pending.same_browser(browser):
            raise self._refuse(Problem.OTHER_BROWSER, pending)
        if query.error:
            raise self._refuse(Problem.DENIED, pending)
        if not query.code or len(query.code) > MAX_CODE_LENGTH:
            raise self._refuse(Problem.CODE_REJECTED, pending)
        try:
            granted = await self._oauth.exchange_code(query.code, pending.code_verifier, now=utcnow())
            user = await self._oauth.me(granted.tokens.access_token)
        except TransientError as error:
            raise self._refuse(Problem.ML_UNAVAILABLE, pending, str(error)) from None
        except RemoteError as error:
            raise self._refuse(Problem.CODE_REJECTED, pending, str(error)) from None
        if user.id != granted.user_id:
            raise self._refuse(Problem.WRONG_USER, pending)
        try:
            account = await link_account(
                self._db,
                self._cipher,
                business_id=pending.business_id,
                seller_id=user.id,
                site_id=user.site_id,
                nickname=user.nickname,
                tokens=granted.tokens,
            )
        except Conflict:
            raise self._refuse(Problem.SELLER_TAKEN, pending) from None
        log.info("ml.account.connected", account_id=account.id, business_id=pending.business_id, seller_id=user.id)
        return account

    @staticmethod
    def _refuse(problem: Problem, pending: PendingConnect | None = None, detail: str = "") -> ConnectFailed:
        business_id = pending.business_id if pending else None
        log.info("connect.refused", problem=problem.value, business_id=business_id, detail=detail)
        return ConnectFailed(problem, pending)
