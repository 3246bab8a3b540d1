"""All log output of a full connect (and a token refresh) contains no token, code, verifier or secret."""

from __future__ import annotations

import io
from datetime import timedelta

import aiohttp
import pytest
from yarl import URL

from tests.connect.conftest import Browser, Stack, url_query
from tests.connect.test_tokens import expire_stored
from worker.clock import utcnow
from worker.jobs.deps import token_provider
from worker.store.accounts import load_tokens


async def test_a_full_connect_and_refresh_log_no_secret(
    stack: Stack,
    browser: Browser,
    log_output: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    connect_token = await stack.connect_token()
    authorization = await browser.start(connect_token)
    callback = await browser.at_ml(authorization, seller["login"])
    back = await browser.back(callback)
    account_id = int(back.location.rsplit("/", 1)[1])
    first = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    await expire_stored(stack, account_id, utcnow() - timedelta(minutes=1))
    async with aiohttp.ClientSession() as http:
        context = stack.context
        provider = token_provider(context, http, stack.settings)
        refreshed = await provider.access_token(account_id)
    second = await load_tokens(stack.context.db, stack.context.cipher, account_id)
    cookies = browser.ours.cookie_jar.filter_cookies(URL(stack.base))

    logged = log_output.getvalue() + caplog.text
    assert first is not None and second is not None and refreshed == second.tokens.access_token
    secrets = {
        "code": url_query(callback)["code"],
        "state": url_query(callback)["state"],
        "code_challenge": url_query(authorization)["code_challenge"],
        "access token": first.tokens.access_token,
        "refresh token": first.tokens.refresh_token,
        "refreshed access token": second.tokens.access_token,
        "refreshed refresh token": second.tokens.refresh_token,
        "client secret": stack.settings.ml_client_secret.get_secret_value(),
        "connect token": connect_token,
        "session cookie": cookies["meli_session"].value,
        "browser cookie": cookies["meli_connect"].value,
        "api key": stack.api_key,
    }
    assert '"event": "ml.account.connected"' in logged and '"event": "ml.token.refreshed"' in logged
    assert [name for name, secret in secrets.items() if secret and secret in logged] == []
