"""The connect flow without HTTP: start (state + PKCE -> authorization URL) and finish (the callback).

`finish` refuses, with a `ConnectFailed` naming the problem, every callback that is not the answer to an
attempt started here: unknown, expired or replayed state, a code ML refuses (e.g. reused), a token that
belongs to someone else than `/users/me`, a link spent or revoked meanwhile, or a seller already connected to
another business (nothing is stored then). A callback in a browser that did not start the attempt links
nothing yet: it is held (`confirm`) until that browser confirms. A merchant who reconnects the same seller gets
new tokens on the same account, back to `active`; a successful connect spends its link.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.errors import MeliError, RemoteError, TransientError
from connectors.mercadolibre.constants import SITES
from connectors.mercadolibre.oauth import Granted, MlOAuthClient, MlUser
from worker.clock import utcnow
from worker.connect.confirm import Confirmation, Confirmations
from worker.connect.links import ConnectLinks
from worker.connect.state import OAuthStates, PendingConnect, random_token, well_formed
from worker.errors import Conflict
from worker.logs import get_logger
from worker.store.accounts import TokenSet, link_account
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import MlAccount

log = get_logger(__name__)
MAX_CODE_LENGTH = 512


class Problem(StrEnum):
    BAD_STATE = "bad_state"  # no state, or not the shape of one
    SPENT_STATE = "spent_state"  # the shape of one we make, but none in progress (used, expired, or made up)
    DENIED = "denied"
    CODE_REJECTED = "code_rejected"
    WRONG_USER = "wrong_user"
    SELLER_TAKEN = "seller_taken"
    ML_UNAVAILABLE = "ml_unavailable"
    LINK_SPENT = "link_spent"


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


@dataclass(frozen=True)
class Finished:
    """A callback's outcome: the linked account, or a sign-in held until its browser confirms it."""

    account: MlAccount | None = None
    confirm: Confirmation | None = None


class ConnectFlow:
    def __init__(
        self,
        db: Database,
        cipher: TokenCipher,
        states: OAuthStates,
        oauth: MlOAuthClient,
        links: ConnectLinks,
        confirmations: Confirmations,
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._states = states
        self._oauth = oauth
        self._links = links
        self._confirmations = confirmations

    async def start(self, business_id: int, site_id: str, browser: str, link_id: int | None = None) -> str:
        """Remember a new attempt of this browser and return the ML authorization URL for it."""
        started = await self._states.begin(business_id, site_id, browser, link_id)
        log.info("connect.started", business_id=business_id, site_id=site_id)
        return self._oauth.authorization_url(SITES[site_id], started.state, started.code_challenge)

    async def finish(self, query: CallbackQuery, browser: str | None) -> Finished:
        pending = await self._states.consume(query.state)
        if pending is None:
            raise self._refuse(Problem.SPENT_STATE if well_formed(query.state) else Problem.BAD_STATE)
        if query.error:
            raise self._refuse(Problem.DENIED, pending)
        if not query.code or len(query.code) > MAX_CODE_LENGTH:
            raise self._refuse(Problem.CODE_REJECTED, pending)
        granted, user = await self._granted(query.code, pending)
        if not pending.same_browser(browser):
            asked = browser if browser is not None and well_formed(browser) else random_token(43)
            held = await self._confirmations.hold(pending, user, granted.tokens, asked)
            log.info("connect.confirmation_asked", business_id=pending.business_id, seller_id=user.id)
            return Finished(confirm=held)
        return Finished(account=await self._link(pending, user, granted.tokens))

    async def confirm(self, confirmation_id: str | None, browser: str | None) -> MlAccount:
        """Link a held sign-in, answered from the browser that was asked."""
        held = await self._confirmations.take(confirmation_id)
        if held is None or not held.same_browser(browser):
            raise self._refuse(Problem.BAD_STATE)
        return await self._link(held.pending, held.user, held.tokens)

    async def cancel(self, confirmation_id: str | None) -> None:
        await self._confirmations.take(confirmation_id)

    async def _granted(self, code: str, pending: PendingConnect) -> tuple[Granted, MlUser]:
        try:
            granted = await self._oauth.exchange_code(code, pending.code_verifier, now=utcnow())
            user = await self._oauth.me(granted.tokens.access_token)
        except TransientError as error:
            raise self._refuse(Problem.ML_UNAVAILABLE, pending, str(error)) from None
        except RemoteError as error:
            raise self._refuse(Problem.CODE_REJECTED, pending, str(error)) from None
        if user.id != granted.user_id:
            raise self._refuse(Problem.WRONG_USER, pending)
        return granted, user

    async def _link(self, pending: PendingConnect, user: MlUser, tokens: TokenSet) -> MlAccount:
        now = utcnow()
        if pending.link_id is not None and not await self._links.still_usable(pending.link_id, now):
            raise self._refuse(Problem.LINK_SPENT)  # no retry: the business withdrew or someone used it
        try:
            account = await link_account(
                self._db, self._cipher, business_id=pending.business_id, seller_id=user.id, site_id=user.site_id,
                nickname=user.nickname, tokens=tokens,
            )  # fmt: skip
        except Conflict:
            raise self._refuse(Problem.SELLER_TAKEN, pending) from None
        if pending.link_id is not None:
            await self._links.spend(pending.link_id, now)
        log.info("ml.account.connected", account_id=account.id, business_id=pending.business_id, seller_id=user.id)
        return account

    @staticmethod
    def _refuse(problem: Problem, pending: PendingConnect | None = None, detail: str = "") -> ConnectFailed:
        business_id = pending.business_id if pending else None
        log.info("connect.refused", problem=problem.value, business_id=business_id, detail=detail)
        return ConnectFailed(problem, pending)
