"""Where outbound webhooks may go: https to public addresses only, unless the setting allows local ones; a
name that resolves inside the network is refused when the endpoint is saved and again when it is sent to."""

from __future__ import annotations

from collections import Counter

import aiohttp
import pytest

from connectors.errors import InvalidRecord
from tests.delivery.receiver import Receiver, receiver  # noqa: F401
from tests.delivery.test_webhooks import CIPHER, store
from tests.harness.shop import open_shop, paid_order
from worker.delivery.addresses import GuardedResolver, check_url
from worker.delivery.signing import new_secret
from worker.delivery.webhook_lane import WebhookOptions, run_webhooks
from worker.store.db import Database
from worker.store.webhooks import add_endpoint

REFUSED = [
    "http://example.com/hook",  # not https
    "https://127.0.0.1/hook",
    "https://localhost:8443/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hook",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://user:pass@93.184.216.34/hook",
    "ftp://93.184.216.34/hook",
    "https:///hook",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_a_url_that_is_not_https_to_a_public_address_is_refused(url: str) -> None:
    with pytest.raises(InvalidRecord) as refused:
        await check_url(url, allow_local=False)
    assert refused.value.field == "url"


async def test_public_https_is_taken_and_the_setting_allows_loopback_over_http() -> None:
    assert await check_url("https://93.184.216.34/hook", allow_local=False) == "https://93.184.216.34/hook"
    assert await check_url(" http://127.0.0.1:9000/hook ", allow_local=True) == "http://127.0.0.1:9000/hook"
    with pytest.raises(InvalidRecord):
        await check_url("ftp://127.0.0.1/hook", allow_local=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_an_endpoint_that_turned_local_gets_nothing(
    db: Database, receiver: Receiver, host: str  # noqa: F811
) -> None:  # fmt: skip
    """Saved while allowed (or while its name pointed elsewhere), sent to when local addresses are not allowed."""
    shop = await open_shop(db, order=paid_order())
    await add_endpoint(db, CIPHER, shop.business_id, receiver.url("/a").replace("127.0.0.1", host), new_secret())
    await store(db, shop, "k1")
    connector = aiohttp.TCPConnector(resolver=GuardedResolver())
    async with aiohttp.ClientSession(connector=connector) as guarded:
        options = WebhookOptions(timeout=2.0, allow_local=False)
        assert await run_webhooks(db, CIPHER, guarded, options, shop.business_id) == Counter(failed=1)
    assert receiver.received == []
