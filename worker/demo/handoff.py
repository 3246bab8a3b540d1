"""What the demo hands over: the banner (working commands, the business API key, a curl line, the account page
link, what the simulated dates mean) and the cleanup of its Redis keys (a bounded run's progress: `progress`)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from worker.clock import utcnow
from worker.connect.links import ConnectLinks
from worker.store.links import LinkKind


@dataclass(frozen=True)
class DemoBusiness:
    business_id: int
    name: str
    api_key: str
    account_page: str = ""


def meli_command() -> str:
    """How to call `meli` from this shell: the venv's script when we run from it, else `meli`."""
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "meli"
    if not script.exists():
        return "meli"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


async def owner_link(links: ConnectLinks, business_id: int) -> str:
    """A link that opens the business's account page in one browser (single use, MELI_OWNER_LINK_TTL_MINUTES)."""
    return (await links.issue(business_id, None, now=utcnow(), kind=LinkKind.OWNER)).url


def banner(
    head: str, web_url: str, database_url: str, businesses: list[DemoBusiness], sim_start: str, bounded: bool
) -> str:
    meli = meli_command()
    env = f"MELI_DATABASE_URL={shlex.quote(database_url)}"
    lines = [head]
    for business in businesses:
        lines += [
            f"  business {business.business_id} ({business.name}): API key {business.api_key}",
            f'    events API:   curl -H "Authorization: Bearer {business.api_key}" "{web_url}/api/v1/events?limit=5"',
            f"    account page: {business.account_page}",
            f"                  (opens once; another: {env} {meli} owner-link --business {business.business_id})",
        ]
    lines += [
        f"  in another terminal: {env} {meli} events --follow",
        f"  API reference: {web_url}/docs",
        f"  simulated time: the sandbox's marketplace starts on {sim_start[:10]} and runs faster than real time,"
        " so events carry those dates",
        "  progress below; the comparison with the sandbox's truth at the end"
        if bounded
        else "  events below; stop with Ctrl-C",
    ]
    return "\n".join(lines)


async def clean_queue(redis: Redis, queue_name: str) -> int:
    """Delete the demo's queue and every key named after it (job ids and locks carry the queue name)."""
    keys = [key async for key in redis.scan_iter(match=f"*{queue_name}*", count=500)]
    for start in range(0, len(keys), 500):
        await redis.delete(*keys[start : start + 500])
    return len(keys)


def describe(seller: dict[str, Any]) -> str:
    return f"{seller['nickname']} ({seller['site_id']}, id {seller['id']})"
