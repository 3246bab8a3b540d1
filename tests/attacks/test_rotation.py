"""Everything secret can be rotated or revoked: a business's API key, its sessions and links, and the token
encryption key (every stored token and every Redis copy re-encrypted under the new key, so the old one can go).
Nothing could be before: no key rotation, stateless links and sessions, and nothing re-encrypted tokens."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

from connectors.mercadolibre.oauth import MlUser
from tests.attacks.conftest import Client
from tests.fuzz.live import Tenant
from tests.harness.cli import meli as run
from tests.harness.store import set_account_status
from worker import redis_keys
from worker.connect.confirm import Confirmations
from worker.connect.state import PendingConnect
from worker.context import AppContext
from worker.store.accounts import TokenSet, load_tokens
from worker.store.crypto import TokenCipher
from worker.store.models import AccountStatus
from worker.store.webhooks import active_endpoints, add_endpoint

NEW_KEY = "r5pX0c8nQy3uJ1b7vWm2kZs9dFh4gTl6aEo0iUy8cQw="


async def meli(context: AppContext, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    settings = context.settings
    env = {"MELI_DATABASE_URL": settings.database_url, "MELI_REDIS_URL": settings.redis_url,
           "MELI_QUEUE_NAME": settings.queue_name} | env  # fmt: skip
    return await run(*args, env=env)


async def test_rotating_an_api_key_retires_the_old_one(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants

    rotated = await meli(context, "business", "rotate-key", str(alfa.business_id))
    new_key = rotated.stdout.strip().removeprefix("api_key: ")
    old = await client.get("/api/v1/accounts", headers=alfa.auth)
    new = await client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {new_key}"})
    other = await client.get("/api/v1/accounts", headers=beta.auth)

    assert rotated.returncode == 0 and new_key.startswith("mk_") and new_key != alfa.api_key
    assert (old.status, new.status, other.status) == (401, 200, 200)


async def test_revoking_a_business_ends_its_sessions_and_links_only(
    client: Client, context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants
    before = (await client.get(f"/accounts/{alfa.account_id}", cookies=alfa.browser(context.settings))).status

    revoked = await meli(context, "business", "revoke", str(alfa.business_id))
    session = await client.get(f"/accounts/{alfa.account_id}", cookies=alfa.browser(context.settings))
    link = await client.get("/connect", params={"token": alfa.link})
    others = await client.get(f"/accounts/{beta.account_id}", cookies=beta.browser(context.settings))

    assert before == 200
    assert (revoked.returncode, revoked.stdout) == (
        0,
        f"business {alfa.business_id}: every session revoked, 1 open link(s) revoked\n",
    )
    assert (session.status, link.status, others.status) == (401, 410, 200)


async def test_reencrypt_moves_every_stored_token_and_redis_copy_to_the_first_key(
    context: AppContext, tenants: tuple[Tenant, Tenant]
) -> None:
    alfa, beta = tenants
    await set_account_status(context.db, beta.account_id, AccountStatus.NEEDS_REAUTH)  # waits for a reconnect
    rescue = f"{redis_keys.tokens(context.settings.queue_name)}:{alfa.account_id}:rescue"
    await context.redis.set(rescue, context.cipher.encrypt(json.dumps({"access": "APP_USR-rescued"})), ex=600)
    tokens = TokenSet("APP_USR-held", "TG-held", datetime.now(UTC) + timedelta(hours=6), "read")
    confirmations = Confirmations(context.redis, context.cipher, context.settings.queue_name)
    pending = PendingConnect(alfa.business_id, "MCO", "v" * 64, "b" * 43, None)
    held = await confirmations.hold(pending, MlUser(id=700000009, nickname="HELD", site_id="MCO"), tokens, "b" * 43)
    await add_endpoint(context.db, context.cipher, alfa.business_id, "https://hooks.example.com/a", "whsec_c2VjcmV0")

    old_key = context.settings.token_encryption_keys[0].get_secret_value()
    done = await meli(context, "keys", "reencrypt", MELI_TOKEN_ENCRYPTION_KEYS=f"{NEW_KEY},{old_key}")
    only_new = TokenCipher([NEW_KEY])
    stored = [await load_tokens(context.db, only_new, tenant.account_id) for tenant in tenants]
    rescued = json.loads(only_new.decrypt(await context.redis.get(rescue)))
    taken = await Confirmations(context.redis, only_new, context.settings.queue_name).take(held.id)

    assert (done.returncode, done.stdout) == (
        0,
        "re-encrypted under the first key: 2 account token(s), 1 webhook secret(s), 2 Redis copies\n",
    )
    assert [e.secret for e in await active_endpoints(context.db, only_new, alfa.business_id)] == ["whsec_c2VjcmV0"]
    assert [s.tokens.access_token if s else None for s in stored] == ["APP_USR-fuzz", "APP_USR-fuzz"]
    assert rescued == {"access": "APP_USR-rescued"}
    assert taken is not None and taken.tokens.refresh_token == "TG-held"
    assert 0 < await context.redis.ttl(rescue) <= 600
