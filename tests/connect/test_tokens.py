"""The token lifecycle against the sandbox's token endpoint (single-use refresh tokens), real DB and Redis."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

import aiohttp
import pytest
from structlog.testing import capture_logs

import worker.tokens
from connectors.errors import AuthError, TransientError
from tests.connect.conftest import Browser, Stack
from worker.clock import utcnow
from worker.errors import Unavailable
from worker.jobs.deps import token_provider
from worker.store.accounts import (
    TokenSet,
    disconnect_account,
    get_account,
    link_account,
    load_tokens,
    replace_tokens,
)
from worker.store.models import AccountStatus
from worker.tokens import TokenProvider, refresh_expiring


def provider(stack: Stack, http: aiohttp.ClientSession) -> TokenProvider:
    context = stack.context
    return token_provider(context, http, stack.settings)


async def linked(stack: Stack, site: str = "MCO") -> int:
    """Given a connected seller (tokens from the sandbox's control API, stored like the callback does)."""
    seller = (await stack.sandbox.sellers())[site]
    pair = await stack.sandbox.control(f"/sellers/{seller['id']}/tokens")
    tokens = TokenSet(
        pair["access_token"], pair["refresh_token"], utcnow() + timedelta(seconds=pair["expires_in"]), pair["scope"]
    )
    account = await link_account(
        stack.context.db, stack.context.cipher, business_id=stack.business_id, seller_id=seller["id"],
        site_id=site, nickname=seller["nickname"], tokens=tokens,
    )  # fmt: skip
    assert account.id is not None
    await stack.sandbox.clear_log()
    return account.id


async def expire_stored(stack: Stack, account_id: int, at: datetime) -> TokenSet:
    stored = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    assert stored is not None
    tokens = dataclasses.replace(stored.tokens, expires_at=at)
    assert await replace_tokens(stack.context.db, stack.context.cipher, account_id, stored.version, tokens)
    return tokens


async def test_a_fresh_token_is_served_without_calling_ml(stack: Stack, http: aiohttp.ClientSession) -> None:
    account_id = await linked(stack)
    stored = await load_tokens(stack.context.db, stack.context.cipher, account_id)

    token = await provider(stack, http).access_token(account_id)

    assert stored is not None and token == stored.tokens.access_token
    assert await stack.sandbox.token_calls() == []


async def test_twenty_concurrent_jobs_with_an_expired_token_cause_one_refresh(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    account_id = await linked(stack)
    old = await expire_stored(stack, account_id, utcnow() - timedelta(minutes=1))
    before = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    processes = [provider(stack, http) for _ in range(20)]  # as if each job ran in its own worker process

    tokens = await asyncio.gather(*(p.access_token(account_id) for p in processes))
    calls = await stack.sandbox.token_calls()
    after = await load_tokens(stack.context.db, stack.context.cipher, account_id)

    assert [(call["method"], call["status"]) for call in calls] == [("POST", 200)]
    assert len(set(tokens)) == 1 and tokens[0] != old.access_token
    assert before is not None and after is not None
    assert after.version == before.version + 1 and after.tokens.access_token == tokens[0]
    assert after.tokens.expires_at > utcnow() + timedelta(hours=5)
    assert await stack.sandbox.me_status(tokens[0]) == 200


async def test_a_rejected_token_is_refreshed_once_and_then_reused(stack: Stack, http: aiohttp.ClientSession) -> None:
    account_id = await linked(stack)
    tokens = provider(stack, http)
    old = await tokens.access_token(account_id)
    await stack.sandbox.control("/tokens/expire")
    assert await stack.sandbox.me_status(old) == 401

    fresh = await asyncio.gather(*(tokens.refresh_after_rejection(account_id, old) for _ in range(5)))
    late = await provider(stack, http).refresh_after_rejection(account_id, old)

    assert len(set(fresh)) == 1 and fresh[0] != old and late == fresh[0]
    assert len(await stack.sandbox.token_calls()) == 1
    assert await stack.sandbox.me_status(fresh[0]) == 200


async def test_a_revoked_seller_needs_reauth_and_is_active_again_after_reconnecting(
    stack: Stack, browser: Browser, http: aiohttp.ClientSession
) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    back = await browser.connect(await stack.connect_token(), seller["login"])
    account_id = int(back.location.rsplit("/", 1)[1])
    await stack.sandbox.control(f"/sellers/{seller['id']}/revoke")
    await expire_stored(stack, account_id, utcnow() - timedelta(seconds=1))
    await stack.sandbox.clear_log()
    tokens = provider(stack, http)

    with capture_logs() as logs, pytest.raises(AuthError, match=f"account {account_id} needs to be reconnected"):
        await tokens.access_token(account_id)
    with pytest.raises(AuthError, match="needs_reauth"):
        await tokens.access_token(account_id)  # parked: no second call to ML
    parked = await get_account(stack.context.db, account_id)
    calls = await stack.sandbox.token_calls()

    assert parked is not None and parked.status == AccountStatus.NEEDS_REAUTH.value
    assert [(c["status"]) for c in calls] == [400]
    assert [entry for entry in logs if entry["event"] == "ml.account.needs_reauth"] == [
        {
            "event": "ml.account.needs_reauth",
            "log_level": "warning",
            "account_id": account_id,
            "reason": "invalid_grant",
        }
    ]
    again = await browser.connect(await stack.connect_token(), seller["login"])
    resumed = await get_account(stack.context.db, account_id)
    token = await tokens.access_token(account_id)
    assert again.location == f"/accounts/{account_id}"
    assert resumed is not None and resumed.status == AccountStatus.ACTIVE.value
    assert await stack.sandbox.me_status(token) == 200


async def test_the_cron_refreshes_only_tokens_that_expire_soon(stack: Stack, http: aiohttp.ClientSession) -> None:
    soon, later = await linked(stack, "MCO"), await linked(stack, "MLA")
    await expire_stored(stack, soon, utcnow() + timedelta(minutes=5))
    await stack.sandbox.clear_log()

    refreshed = await refresh_expiring(provider(stack, http), within_seconds=900)
    again = await refresh_expiring(provider(stack, http), within_seconds=900)

    assert (refreshed, again) == (1, 0)
    assert len(await stack.sandbox.token_calls()) == 1
    stored = await load_tokens(stack.context.db, stack.context.cipher, soon)
    untouched = await load_tokens(stack.context.db, stack.context.cipher, later)
    assert stored is not None and stored.tokens.expires_at > utcnow() + timedelta(hours=5)
    assert untouched is not None and untouched.version == 1


async def test_a_pair_whose_database_write_failed_is_rescued_not_refreshed_again(
    stack: Stack, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = await linked(stack)
    await expire_stored(stack, account_id, utcnow() - timedelta(minutes=1))

    async def database_down(*args: object, **kwargs: object) -> bool:
        raise Unavailable("cannot reach database")

    monkeypatch.setattr(worker.tokens, "replace_tokens", database_down)
    with pytest.raises(Unavailable):
        await provider(stack, http).access_token(account_id)  # ML answered, the write failed
    monkeypatch.undo()

    token = await provider(stack, http).access_token(account_id)

    assert len(await stack.sandbox.token_calls()) == 1  # the spent refresh token was not sent again
    assert await stack.sandbox.me_status(token) == 200
    assert await stack.context.redis.keys(f"{stack.settings.queue_name}:tokens:{account_id}:rescue") == []
    account = await get_account(stack.context.db, account_id)
    assert account is not None and account.status == "active"


async def test_accounts_that_are_not_active_get_no_token(stack: Stack, http: aiohttp.ClientSession) -> None:
    account_id = await linked(stack)
    await expire_stored(stack, account_id, utcnow() - timedelta(minutes=1))
    await disconnect_account(stack.context.db, account_id)

    with pytest.raises(AuthError, match="disconnected"):
        await provider(stack, http).access_token(account_id)
    with pytest.raises(AuthError, match="unknown"):
        await provider(stack, http).access_token(424242)
    assert await stack.sandbox.token_calls() == []


async def test_ml_down_during_a_refresh_is_retried_then_transient_and_the_account_stays_usable(
    stack: Stack, http: aiohttp.ClientSession
) -> None:
    account_id = await linked(stack)
    await expire_stored(stack, account_id, utcnow() - timedelta(minutes=1))
    before = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    await stack.sandbox.faults(fault_5xx=1.0)

    with pytest.raises(TransientError):
        await provider(stack, http).access_token(account_id)
    failed_calls = await stack.sandbox.token_calls()
    await stack.sandbox.faults(fault_5xx=0.0)
    token = await provider(stack, http).access_token(account_id)

    assert len(failed_calls) == 3 and all(call["status"] >= 500 for call in failed_calls)
    assert before is not None and token != before.tokens.access_token
    assert await stack.sandbox.me_status(token) == 200
    account = await get_account(stack.context.db, account_id)
    assert account is not None and account.status == "active"
