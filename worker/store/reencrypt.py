"""Re-encrypt every stored OAuth token and outbound webhook secret, and the Redis copies of tokens, under the
first encryption key, so the other keys of `MELI_TOKEN_ENCRYPTION_KEYS` can be retired.

Rows are rewritten a batch at a time, each only if its `version` is still the one read: a refresh that stored
new tokens meanwhile wrote them under the first key already, and must not be overwritten. Redis copies (token
rescues, sign-ins waiting for confirmation) are replaced only if unchanged, keeping their expiry.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import update
from sqlmodel import col, select

from connectors.errors import MeliError
from worker import redis_keys
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.models import OAuthToken
from worker.store.webhook_models import WebhookEndpoint

BATCH = 500
# Replace a value only if nobody changed it since it was read; keep its expiry.
_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0
"""


@dataclass
class Reencrypted:
    tokens: int = 0  # account token rows rewritten
    secrets: int = 0  # outbound webhook secrets rewritten
    redis_copies: int = 0
    unreadable: int = 0  # could not be decrypted with any configured key (left as they are)


async def _batch(db: Database, after: int) -> list[OAuthToken]:
    statement = select(OAuthToken).where(col(OAuthToken.account_id) > after).order_by(col(OAuthToken.account_id))
    async with db.transaction() as session:
        return list((await session.exec(statement.limit(BATCH))).all())


async def _rewrite(db: Database, cipher: TokenCipher, row: OAuthToken) -> bool:
    access = cipher.rotate(row.access_token_enc)
    refresh = cipher.rotate(row.refresh_token_enc) if row.refresh_token_enc else None
    statement = (
        update(OAuthToken)
        .where(col(OAuthToken.account_id) == row.account_id, col(OAuthToken.version) == row.version)
        .values(access_token_enc=access, refresh_token_enc=refresh)
    )
    async with db.transaction() as session:
        return bool((await session.exec(statement)).rowcount == 1)


async def reencrypt_tokens(db: Database, cipher: TokenCipher, report: Reencrypted) -> None:
    """Every account's tokens, whatever the account's status (reconnect-pending ones included)."""
    after = 0
    while rows := await _batch(db, after):
        for row in rows:
            try:
                report.tokens += await _rewrite(db, cipher, row)
            except MeliError:
                report.unreadable += 1
        after = rows[-1].account_id


async def reencrypt_secrets(db: Database, cipher: TokenCipher, report: Reencrypted) -> None:
    """Every outbound webhook endpoint's secret, disabled endpoints included; each only if unchanged since read."""
    async with db.transaction() as session:
        rows = (await session.exec(select(WebhookEndpoint.id, WebhookEndpoint.secret_enc))).all()
    for endpoint_id, blob in rows:
        try:
            rotated = cipher.rotate(blob)
        except MeliError:
            report.unreadable += 1
            continue
        statement = (
            update(WebhookEndpoint)
            .where(col(WebhookEndpoint.id) == endpoint_id, col(WebhookEndpoint.secret_enc) == blob)
            .values(secret_enc=rotated)
        )
        async with db.transaction() as session:
            report.secrets += bool((await session.exec(statement)).rowcount == 1)


async def reencrypt_redis(redis: Redis, cipher: TokenCipher, queue_name: str, report: Reencrypted) -> None:
    swap = redis.register_script(_SWAP)
    for pattern in (redis_keys.token_rescues(queue_name), redis_keys.connect_confirmations(queue_name) + ":*"):
        async for key in redis.scan_iter(match=pattern, count=500):
            blob = await redis.get(key)
            if blob is None:
                continue
            try:
                rotated = cipher.rotate(blob)
            except MeliError:
                report.unreadable += 1
                continue
            report.redis_copies += int(await swap(keys=[key], args=[blob, rotated]))
