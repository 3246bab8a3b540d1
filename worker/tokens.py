"""The token lifecycle: every ML API call gets its access token from `TokenProvider`.

* `access_token(account_id)` returns the stored token, refreshing it first when it expires within
  `MELI_TOKEN_REFRESH_MARGIN_SECONDS`. `refresh_after_rejection(account_id, rejected)` is called once after
  a 401: it refreshes unless someone already replaced the rejected token, then returns the current one.
* Only *active* accounts get tokens. `needs_reauth` and `disconnected` raise `AuthError` at once, without a
  call to ML, so jobs of that account park; they resume after the seller reconnects (`link_account` sets the
  account active again with new tokens).
* One refresh per account at a time across all processes: a Redis lock (`{queue}:tokens:{id}:lock`, with a
  timeout so a dead holder cannot block forever). Under the lock the tokens are read again; if their
  `version` moved, someone else refreshed and that token is reused. The write is `replace_tokens` with the
  version read (optimistic), so a reconnect that happened meanwhile is never overwritten. In one process,
  concurrent callers also share one refresh task.
* `invalid_grant` (refresh token expired, revoked, already used): unless the tokens changed meanwhile, the
  account goes to `needs_reauth` (only if still at the version we read), `ml.account.needs_reauth` is logged
  with the account id, and `AuthError` is raised.

Refresh tokens are single use, so losing the token endpoint's answer could brick an account. The design:

1. *Persist before use.* The new pair is written before any caller sees the new access token.
2. *Write-ahead rescue.* The instant ML answers, the new pair is put in Redis (encrypted with the token
   cipher, 7 days) next to a hash of the refresh token it replaced, then written to the database, then the
   rescue key is deleted. If the database write fails or the process dies in between, the next refresh
   (under the lock) finds the rescue; when the database still holds the spent refresh token, the rescued
   pair is stored instead of calling ML with a dead token.
3. *No abandoned responses.* The refresh runs in its own task that callers await through `asyncio.shield`,
   so a cancelled job does not drop an answer in flight; the lock outlives the worst-case refresh.
4. *Retry only what may not have happened.* Transport errors, 5xx and 429 are retried (3 attempts, short
   backoff) with the *same* refresh token: if ML never processed it, the retry succeeds. If ML did process
   it and only the answer was lost, the retry gets `invalid_grant`; the tokens are then read again (another
   process may hold the new pair) and only if nobody has it does the account go to `needs_reauth`. Refreshing
   ahead of expiry means the merchant is asked to reconnect while the old access token still works.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from contextlib import suppress
from datetime import datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from connectors.errors import AuthError, TransientError
from connectors.mercadolibre.oauth import Granted, InvalidGrant, MlOAuthClient
from worker import redis_keys
from worker.clock import utcnow
from worker.logs import get_logger
from worker.store.accounts import (
    StoredTokens,
    TokenSet,
    accounts_expiring,
    get_account,
    load_tokens,
    mark_needs_reauth,
    replace_tokens,
)
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import AccountStatus

log = get_logger(__name__)

LOCK_TIMEOUT_S = 120.0  # longer than the worst refresh: 3 attempts x 20 s timeout + backoff + the write
LOCK_WAIT_S = 90.0  # a waiter gives up after this (TransientError: the job retries later)
RESCUE_TTL_S = 7 * 86400
REFRESH_ATTEMPTS = 3


def _fingerprint(refresh_token: str | None) -> str:
    return hashlib.sha256((refresh_token or "").encode()).hexdigest()


REUSE_SECONDS = 5.0  # how long a token read from the store is reused without reading it again


class TokenProvider:
    def __init__(
        self,
        db: Database,
        cipher: TokenCipher,
        redis: Redis,
        oauth: MlOAuthClient,
        *,
        queue_name: str,
        refresh_margin_seconds: float,
    ) -> None:
        self.db = db
        self._cipher = cipher
        self._redis = redis
        self._oauth = oauth
        self._margin = timedelta(seconds=refresh_margin_seconds)
        self._queue = queue_name
        self._inflight: dict[int, asyncio.Task[str]] = {}
        self._recent: dict[int, tuple[float, str]] = {}  # account → (monotonic time read, token)

    async def access_token(self, account_id: int) -> str:
        """A valid access token, refreshed first when it expires within the margin.

        A token read in the last few seconds is reused: a job makes several calls in a row, and the refresh
        margin (minutes) dwarfs the reuse window, so a reused token is never near expiry."""
        recent = self._recent.get(account_id)
        if recent is not None and time.monotonic() - recent[0] < REUSE_SECONDS:
            return recent[1]
        token = await self._fresh(account_id, self._margin)
        self._recent[account_id] = (time.monotonic(), token)
        return token

    async def refresh_after_rejection(self, account_id: int, rejected: str) -> str:
        """After a 401 with `rejected`: refresh unless someone already did; return the current token."""
        self._recent.pop(account_id, None)
        stored = await self._current(account_id)
        if not hmac.compare_digest(stored.tokens.access_token.encode(), rejected.encode()):
            return stored.tokens.access_token
        return await self._refresh(account_id, stored.version)

    async def ensure_fresh(self, account_id: int, within: timedelta) -> bool:
        """Refresh if the token expires within `within`; True when a refresh happened (for the cron job)."""
        stored = await self._current(account_id)
        if stored.tokens.expires_at - within > utcnow():
            return False
        await self._refresh(account_id, stored.version)
        return True

    async def _fresh(self, account_id: int, within: timedelta) -> str:
        stored = await self._current(account_id)
        if stored.tokens.expires_at - within > utcnow():
            return stored.tokens.access_token
        return await self._refresh(account_id, stored.version)

    async def _current(self, account_id: int) -> StoredTokens:
        account = await get_account(self.db, account_id)
        if account is None or account.status != AccountStatus.ACTIVE.value:
            state = "unknown" if account is None else account.status
            raise AuthError(f"account {account_id} is {state}: the seller must reconnect")
        stored = await load_tokens(self.db, self._cipher, account_id)
        if stored is None:
            raise AuthError(f"account {account_id} has no tokens: the seller must reconnect")
        return stored

    async def _refresh(self, account_id: int, seen_version: int) -> str:
        self._recent.pop(account_id, None)
        task = self._inflight.get(account_id)
        if task is None:
            task = asyncio.create_task(self._refresh_locked(account_id, seen_version))
            self._inflight[account_id] = task
            task.add_done_callback(lambda done: self._forget(account_id, done))
        return await asyncio.shield(task)

    def _forget(self, account_id: int, done: asyncio.Task[str]) -> None:
        if self._inflight.get(account_id) is done:
            del self._inflight[account_id]
        if not done.cancelled():
            done.exception()  # retrieved here so an unawaited failure is not reported as "never retrieved"

    async def _refresh_locked(self, account_id: int, seen_version: int) -> str:
        lock = self._redis.lock(
            redis_keys.token_lock(self._queue, account_id), timeout=LOCK_TIMEOUT_S, blocking_timeout=LOCK_WAIT_S
        )
        try:
            acquired = await lock.acquire()
        except RedisError:
            raise TransientError(f"cannot take the token refresh lock of account {account_id}") from None
        if not acquired:
            raise TransientError(f"the token refresh of account {account_id} is taking too long elsewhere")
        try:
            return await self._refresh_held(account_id, seen_version)
        finally:
            with suppress(LockError, RedisError):
                await lock.release()

    async def _refresh_held(self, account_id: int, seen_version: int) -> str:
        stored = await self._current(account_id)
        if stored.version != seen_version:
            return stored.tokens.access_token  # refreshed (or reconnected) by someone else meanwhile
        rescued = await self._recover(account_id, stored)
        if rescued is not None:
            return rescued
        if not stored.tokens.refresh_token:
            return await self._needs_reauth(account_id, stored, "no refresh token (offline_access missing)")
        try:
            granted = await self._call_refresh(stored.tokens.refresh_token)
        except InvalidGrant:
            return await self._needs_reauth(account_id, stored, "invalid_grant")
        return await self._persist(account_id, stored, granted.tokens)

    async def _call_refresh(self, refresh_token: str) -> Granted:
        for attempt in range(REFRESH_ATTEMPTS):
            try:
                return await self._oauth.refresh(refresh_token, now=utcnow())
            except InvalidGrant:
                raise
            except TransientError as error:
                if attempt == REFRESH_ATTEMPTS - 1:
                    raise
                retry_after = getattr(error, "retry_after", None)
                await asyncio.sleep(min(retry_after or 0.5 * 2**attempt, 5.0))
        raise AssertionError("unreachable")

    async def _persist(self, account_id: int, spent: StoredTokens, tokens: TokenSet) -> str:
        """Write-ahead to Redis, then the database (optimistic on the version read), then drop the rescue."""
        key = redis_keys.token_rescue(self._queue, account_id)
        with suppress(RedisError):
            await self._redis.set(key, self._rescue_blob(spent, tokens), ex=int(RESCUE_TTL_S))
        stored = await replace_tokens(self.db, self._cipher, account_id, spent.version, tokens)
        with suppress(RedisError):
            await self._redis.delete(key)
        if not stored:  # a reconnect stored newer tokens meanwhile: those win
            return (await self._current(account_id)).tokens.access_token
        log.info("ml.token.refreshed", account_id=account_id, expires_at=tokens.expires_at.isoformat())
        return tokens.access_token

    def _rescue_blob(self, spent: StoredTokens, tokens: TokenSet) -> bytes:
        document = {
            "spent": _fingerprint(spent.tokens.refresh_token),
            "access": tokens.access_token,
            "refresh": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat(),
            "scope": tokens.scope,
        }
        return self._cipher.encrypt(json.dumps(document))

    async def _recover(self, account_id: int, stored: StoredTokens) -> str | None:
        """Store a pair that ML issued but the database never got; None when there is nothing to rescue."""
        key = redis_keys.token_rescue(self._queue, account_id)
        try:
            blob = await self._redis.get(key)
        except RedisError:
            return None
        if blob is None:
            return None
        document = json.loads(self._cipher.decrypt(blob))
        if not hmac.compare_digest(document["spent"], _fingerprint(stored.tokens.refresh_token)):
            with suppress(RedisError):
                await self._redis.delete(key)  # already stored, or superseded by a reconnect
            return None
        tokens = TokenSet(
            document["access"], document["refresh"], datetime.fromisoformat(document["expires_at"]), document["scope"]
        )
        log.warning("ml.token.rescued", account_id=account_id)
        return await self._persist(account_id, stored, tokens)

    async def _needs_reauth(self, account_id: int, stored: StoredTokens, reason: str) -> str:
        latest = await load_tokens(self.db, self._cipher, account_id)
        if latest is not None and latest.version != stored.version:
            return latest.tokens.access_token  # someone else holds the new pair: not bricked
        if await mark_needs_reauth(self.db, account_id, stored.version):
            log.warning("ml.account.needs_reauth", account_id=account_id, reason=reason)
        raise AuthError(f"account {account_id} needs to be reconnected: {reason}")


async def refresh_expiring(provider: TokenProvider, within_seconds: float) -> int:
    """For a cron job: refresh every active account whose token expires within `within_seconds`, even when
    no traffic flows. Returns how many were refreshed; one failing account does not stop the others."""
    within = timedelta(seconds=within_seconds)
    refreshed = 0
    for account_id in await accounts_expiring(provider.db, utcnow() + within):
        try:
            refreshed += await provider.ensure_fresh(account_id, within)
        except AuthError:
            continue  # already logged as ml.account.needs_reauth (or not active any more)
        except TransientError as error:
            log.warning("ml.token.refresh_failed", account_id=account_id, error=str(error))
    log.info("ml.token.refresh_expiring", refreshed=refreshed)
    return refreshed
