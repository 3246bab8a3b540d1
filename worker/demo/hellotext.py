"""The demo's Hellotext: the fake Hellotext served next to the ML sandbox, a token per demo business, and the
check that what Hellotext recorded equals the event store (action, buyer, order, amount, currency, time)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import aiohttp
import click
from rich.console import Console
from rich.table import Table

from connectors.hellotext.payloads import BUYER_PROPERTY
from worker.context import AppContext
from worker.delivery.connect import HellotextApi, configure
from worker.store.deliveries import count_by_status
from worker.store.delivery_models import DeliveryStatus
from worker.store.events import read_events

Key = tuple[str, str, str, str, str, str]


def _key(action: str, buyer: str, order: str | None, amount: Any, currency: str | None, at: datetime) -> Key:
    """Hellotext keeps times to the second, and a currency only with an amount (we send neither without one)."""
    money = "" if amount is None else str(Decimal(str(amount)).normalize())
    return (action, buyer, order or "", money, (currency or "") if money else "", str(int(at.timestamp())))


async def connect_hellotext(
    context: AppContext, http: aiohttp.ClientSession, api: HellotextApi, url: str, business_id: int
) -> None:
    """Open a Hellotext business in the fake for this business and give ours its token (all history)."""
    token = f"ht_demo_{secrets.token_hex(12)}"
    async with http.post(f"{url}/_sandbox/accounts", json={"token": token, "name": f"business {business_id}"}):
        pass
    await configure(context.db, context.cipher, api, business_id, token=token, history_days=None)


async def wait_delivered(context: AppContext, businesses: list[int], console: Console, within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        pending = sum([(await count_by_status(context.db, b)).get(DeliveryStatus.PENDING, 0) for b in businesses])
        console.print(f"  deliveries pending: {pending}", highlight=False)
        if not pending:
            return
        if time.monotonic() > deadline:
            raise click.ClickException(f"deliveries to Hellotext did not finish within {within:.0f} s")
        await asyncio.sleep(1.0)


@dataclass
class Delivered:
    stored: Counter[Key] = field(default_factory=Counter)
    recorded: Counter[Key] = field(default_factory=Counter)

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(action, stored, delivered, missing, duplicated) per action."""
        actions = sorted({k[0] for k in self.stored} | {k[0] for k in self.recorded})
        rows = []
        for action in actions:
            stored = sum(n for k, n in self.stored.items() if k[0] == action)
            recorded = Counter({k: n for k, n in self.recorded.items() if k[0] == action})
            missing = sum(n for k, n in (self.stored - self.recorded).items() if k[0] == action)
            extra = sum(n for k, n in (recorded - self.stored).items())
            rows.append((action, stored, stored - missing, missing, extra))
        return rows

    @property
    def exact(self) -> bool:
        return self.stored == self.recorded


def _recorded(oracle: dict[str, Any]) -> Counter[Key]:
    """The fake's events in the store's words: its profile ids become ML buyers, its order ids ML orders."""
    buyer_property = next((p["id"] for p in oracle["properties"] if p["name"] == BUYER_PROPERTY), None)
    buyers = {p["id"]: p["properties"].get(buyer_property, "") for p in oracle["profiles"]}
    orders = {o["id"]: o["reference"] for o in oracle["orders"]}
    return Counter(
        _key(e["action"], buyers.get(e["profile"], "?"), orders.get(e["object"]), e["amount"], e["currency"],
             datetime.fromisoformat(e["tracked_at"]))
        for e in oracle["events"]
    )  # fmt: skip


async def compare_delivered(context: AppContext, http: aiohttp.ClientSession, url: str, businesses: list[int],
                            console: Console) -> bool:  # fmt: skip
    result = Delivered()
    async with http.get(f"{url}/_sandbox/oracle") as response:
        oracles = await response.json()
    for business_id in businesses:
        after = 0
        while batch := await read_events(context.db, business_id=business_id, after=after, limit=5000):
            result.stored.update(
                _key(v.action, v.subscriber_external_id, v.order_reference, v.amount, v.currency, v.tracked_at)
                for v in batch
            )
            after = batch[-1].id
        result.recorded.update(_recorded(oracles[f"business {business_id}"]))
    table = Table(title="events: store vs Hellotext")
    for column in ("action", "stored", "delivered", "missing", "duplicated"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for row in result.rows():
        table.add_row(*(str(value) for value in row))
    console.print(table)
    click.echo(f"hellotext: {'exact match' if result.exact else 'differs from the store'}")
    return result.exact
