"""Setting a business's Hellotext token (checked first with a read call, as Hellotext suggests) and its delivery
options; shared by `meli business hellotext` and `PUT /api/v1/hellotext`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from connectors.errors import AuthError, InvalidRecord, RemoteError, RemoteNotFound, TransientError
from connectors.hellotext.client import HellotextClient
from worker.errors import Unavailable
from worker.logs import get_logger
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.hellotext import UNCHANGED, one_saved_id, save_token, set_options

log = get_logger(__name__)
MAX_TOKEN = 500
TOKEN_PATTERN = f"^[!-~]{{1,{MAX_TOKEN}}}$"  # one word of visible ASCII: it travels in an HTTP header
TOKEN = re.compile(TOKEN_PATTERN)
MAX_HISTORY_DAYS = 3650


def parse_history(value: object) -> int | None:
    """`all` (every past event), `none`, or a number of days before the connection."""
    if value == "all":
        return None
    if value == "none":
        return 0
    if isinstance(value, float) and value.is_integer():  # JSON's 30.0 is the integer 30
        value = int(value)
    text = str(value)
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or int(text) > MAX_HISTORY_DAYS:
        raise InvalidRecord("history", f"must be all, none or a number of days from 0 to {MAX_HISTORY_DAYS}")
    return int(text)


@dataclass(frozen=True)
class HellotextApi:
    base_url: str
    timeout_seconds: float


async def check_token(api: HellotextApi, token: str) -> None:
    """Ask Hellotext whether the token works; a refusal or an outage is a one-line error without the token."""
    token = token.strip()
    if not TOKEN.fullmatch(token):
        raise InvalidRecord("token", "a Hellotext private API token is one word (Settings → Authorization tokens)")
    async with aiohttp.ClientSession() as http:
        client = HellotextClient(http, token, base_url=api.base_url, timeout=api.timeout_seconds)
        try:
            await client.check_token()
        except AuthError:
            raise InvalidRecord("token", "Hellotext refused this token (401): missing, invalid or revoked") from None
        except TransientError as error:
            raise Unavailable(f"Hellotext did not answer the token check ({error}); try again") from None
        except RemoteError as error:
            raise InvalidRecord("token", f"Hellotext refused the token check ({error.status})") from None


async def of_another_business(db: Database, api: HellotextApi, business_id: int, token: str) -> bool:
    """Whether a replacing token belongs to another Hellotext business than the ids kept so far: the new token
    cannot read an order we created with the old one (404). With no order created yet nothing is checked (the
    ids are kept: profiles cannot be found again by reference, so dropping them would duplicate them)."""
    order_id = await one_saved_id(db, business_id, "order")
    if order_id is None:
        return False
    async with aiohttp.ClientSession() as http:
        client = HellotextClient(http, token.strip(), base_url=api.base_url, timeout=api.timeout_seconds)
        try:
            await client.get_order(order_id)
        except RemoteNotFound:
            return True
        except TransientError as error:
            raise Unavailable(f"Hellotext did not answer the order check ({error}); try again") from None
        except RemoteError as error:  # cannot tell (e.g. 403 without a subscription): keep the ids
            log.warning("hellotext.token.order_check_refused", business_id=business_id, status=error.status)
    return False


async def configure(
    db: Database, cipher: TokenCipher, api: HellotextApi, business_id: int, *, token: str | None = None,
    paused: bool | None = None, history_days: Any = UNCHANGED,
) -> bool:  # fmt: skip
    """Check and save a new token, then apply the options; False when the business has no token yet."""
    if token is not None:
        await check_token(api, token)
        moved = await of_another_business(db, api, business_id, token)
        if moved:
            log.info("hellotext.token.other_business", business_id=business_id)
        await save_token(db, cipher, business_id, token.strip(), forget_ids=moved)
    return await set_options(db, business_id, paused=paused, history_days=history_days)
