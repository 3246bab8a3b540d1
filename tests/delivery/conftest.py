"""A business with a Hellotext token on the fake Hellotext, and helpers to store orders' events and run its
delivery lane."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from connectors.events import OrderItem, Subscriber
from tests.harness.shop import add_order, paid_order
from tests.hellotext.conftest import TOKEN, TOKEN_2, FakeHellotext, fake_hellotext, http  # noqa: F401
from worker.delivery.lane import LaneOptions, run_lane
from worker.store.businesses import create_business
from worker.store.crypto import TokenCipher
from worker.store.db import Database
from worker.store.events import EventRecord, append_events
from worker.store.hellotext import save_token

T0 = datetime(2026, 11, 20, 14, 2, 13, tzinfo=UTC)
ITEM = OrderItem(item_id="MCO1001", title="Mate", quantity=2, unit_price=Decimal("10.50"), variation_id="77")


@dataclass
class Shop:
    db: Database
    cipher: TokenCipher
    http: aiohttp.ClientSession
    fake: FakeHellotext
    business_id: int
    token: str

    async def order(self, reference: str, *actions: str, buyer: str = "1122", at: datetime = T0,
                    origin: str = "live") -> None:  # fmt: skip
        """Store an order of `buyer` with one event per action, a minute apart."""
        person = Subscriber(external_id=buyer, source="mercadolibre", nickname=f"NICK{buyer}", first_name="Ana")
        snapshot = paid_order(reference, updated_at=at, currency="COP", total_amount=Decimal("21.00"), items=(ITEM,))
        stored = await add_order(self.db, self.business_id, person, snapshot)
        records = [
            EventRecord(action=action, subscriber_id=stored.subscriber_id, order_object_id=stored.order_id,
                        tracked_at=at + timedelta(minutes=n), dedupe_key=f"{reference}:{action}", source="mercadolibre",
                        origin=origin, amount=Decimal("21.00"), currency="COP")
            for n, action in enumerate(actions)
        ]  # fmt: skip
        await append_events(self.db, self.business_id, records)

    async def run(self, at: datetime | None = None, wait: float = 2.0, url: str | None = None) -> Counter[str]:
        options = LaneOptions(url or self.fake.url, wait, 100)
        clock = (lambda: at) if at is not None else (lambda: datetime.now(UTC))
        return await run_lane(self.db, self.cipher, self.http, options, self.business_id, clock=clock)

    async def deliveries(self) -> list[tuple[Any, ...]]:
        async with self.db.connect() as conn:
            query = text(
                "SELECT e.action, d.status, d.attempts, d.last_status, d.reason FROM delivery d "
                "JOIN event e ON e.id = d.event_id WHERE d.business_id = :b ORDER BY d.id"
            )
            rows = await conn.execute(query, {"b": self.business_id})
            return [tuple(row) for row in rows.all()]

    def sent(self) -> list[tuple[Any, ...]]:
        """The events the fake Hellotext kept: action, profile, order, amount, currency, time."""
        oracle = self.fake.oracle(self.token)
        return [(e["action"], e["profile"], e["object"], e["amount"], e["currency"], e["tracked_at"])
                for e in oracle["events"]]  # fmt: skip


async def open_shop(db: Database, fake: FakeHellotext, session: aiohttp.ClientSession, name: str, token: str,
                    cipher: TokenCipher | None = None) -> Shop:  # fmt: skip
    cipher = cipher or TokenCipher([TokenCipher.generate_key()])
    business, _ = await create_business(db, name, "CO")
    assert business.id is not None
    await save_token(db, cipher, business.id, token)
    return Shop(db, cipher, session, fake, business.id, token)


@pytest.fixture
async def shop(db: Database, fake_hellotext: FakeHellotext, http: aiohttp.ClientSession) -> AsyncIterator[Shop]:  # noqa: F811
    yield await open_shop(db, fake_hellotext, http, "Tienda Uno", TOKEN)


@pytest.fixture
async def second_shop(db: Database, fake_hellotext: FakeHellotext, http: aiohttp.ClientSession) -> Shop:  # noqa: F811
    return await open_shop(db, fake_hellotext, http, "Tienda Dos", TOKEN_2)
