"""Hellotext records a delivery needs (the buyer's profile and its two properties, the order's products, the
order), each created at most once per business: its id is kept; a create whose answer was lost is looked
for (by reference, or the buyer property) before anything is created again.

Before each create a row without an id is written (`hellotext_ref`): if the process dies or the answer is lost,
that row says the create may have happened.

Several orders of a business are delivered at once (worker/delivery/lane.py), so each record is ensured under
its own lock: two orders of one buyer wait for one profile create. The ids known for a batch are read in one
query per kind (`prime`) and kept for the rest of the lane's run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import PermanentError
from connectors.hellotext.client import HellotextClient
from connectors.hellotext.payloads import (
    BUYER_PROPERTY,
    PROPERTIES,
    SOURCE,
    Buyer,
    order_body,
    product_body,
    product_reference,
    profile_body,
    profile_matches,
)
from worker.delivery.coalesce import Coalesced
from worker.store.db import Database
from worker.store.hellotext import save_refs, saved_refs
from worker.store.models import OrderObject, SubscriberRow

TAKEN = 422
PROFILE_PAGES = 50  # profiles looked through (100 a page) to find one whose create's answer was lost


@dataclass
class Records:
    db: Database
    business_id: int
    client: HellotextClient
    _property_ids: dict[str, str] | None = None
    _ids: dict[tuple[str, str], str] = field(default_factory=dict)  # Hellotext ids known in this run
    _absent: set[tuple[str, str]] = field(default_factory=set)  # `prime` found no row: nothing was ever sent
    _locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)
    _writes: Coalesced[tuple[str, str, str | None]] | None = None

    async def save(self, kind: str, reference: str, remote_id: str | None) -> None:
        """Written with the other records of the round (worker/delivery/coalesce.py), committed on return."""
        if self._writes is None:
            self._writes = Coalesced(lambda refs: save_refs(self.db, self.business_id, refs))
        await self._writes.put((kind, reference, remote_id))

    async def prime(self, kind: str, references: Iterable[str]) -> None:
        """Read what this store has for these references in one query, so `ensure` need not ask per record."""
        wanted = {reference for reference in references if (kind, reference) not in self._ids}
        if not wanted:
            return
        saved = await saved_refs(self.db, self.business_id, kind, sorted(wanted))
        for reference in wanted:
            if saved.get(reference):
                self._ids[kind, reference] = str(saved[reference])
            elif reference not in saved:
                self._absent.add((kind, reference))

    async def ensure(
        self, kind: str, reference: str, create: Callable[[], Awaitable[str]], find: Callable[[], Awaitable[str | None]]
    ) -> str:
        key = (kind, reference)
        if key in self._ids:
            return self._ids[key]
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._ids:
                self._ids[key] = await self._ensure(kind, reference, create, find)
            return self._ids[key]

    async def _ensure(
        self, kind: str, reference: str, create: Callable[[], Awaitable[str]], find: Callable[[], Awaitable[str | None]]
    ) -> str:
        if (kind, reference) in self._absent:
            self._absent.discard((kind, reference))
            saved: dict[str, str | None] = {}
        else:
            saved = await saved_refs(self.db, self.business_id, kind, [reference])
        if saved.get(reference):
            return str(saved[reference])
        if reference in saved and (found := await find()) is not None:  # a create was sent; its answer was lost
            await self.save(kind, reference, found)
            return found
        await self.save(kind, reference, None)
        try:
            remote_id = await create()
        except PermanentError as error:  # 422 "taken": it exists already (made before this store knew its id)
            found = await find() if error.status == TAKEN else None
            if found is None:
                raise
            remote_id = found
        await self.save(kind, reference, remote_id)
        return remote_id

    async def properties(self) -> dict[str, str]:
        if self._property_ids is None:
            self._property_ids = {name: await self._property(name) for name in PROPERTIES}
        return self._property_ids

    async def _property(self, name: str) -> str:
        async def find() -> str | None:
            return next((str(p["id"]) for p in await self.client.list_properties() if p.get("name") == name), None)

        async def create() -> str:
            return await self.client.create_property(PROPERTIES[name])

        return await self.ensure("property", name, create, find)

    async def profile(self, buyer: SubscriberRow) -> str:
        properties = await self.properties()
        person = Buyer(buyer.external_id, buyer.nickname, buyer.first_name, buyer.last_name, buyer.email, buyer.phone)

        async def find() -> str | None:
            after: str | None = None
            for _ in range(PROFILE_PAGES):
                page = await self.client.list_profiles(limit=100, starting_after=after)
                for profile in page:
                    if profile_matches(profile, properties[BUYER_PROPERTY], buyer.external_id):
                        return str(profile["id"])
                if len(page) < 100:
                    return None
                after = str(page[-1]["id"])
            return None

        async def create() -> str:
            return await self.client.create_profile(profile_body(person, properties))

        return await self.ensure("profile", buyer.external_id, create, find)

    async def _found(self, finder: Callable[[str, str], Awaitable[list[dict[str, Any]]]], ref: str) -> str | None:
        found = await finder(ref, SOURCE)
        return str(found[0]["id"]) if found else None

    async def product(self, item: dict[str, Any], currency: str | None) -> str:
        ref = product_reference(item)

        async def create() -> str:
            return await self.client.create_product(product_body(item, currency))

        async def find() -> str | None:
            return await self._found(self.client.find_products, ref)

        return await self.ensure("product", ref, create, find)

    async def order(self, order: OrderObject) -> str:
        product_ids = {product_reference(item): await self.product(item, order.currency) for item in order.items}
        body = order_body(order.reference, order.items, product_ids, order.currency)

        async def create() -> str:
            return await self.client.create_order(body)

        async def find() -> str | None:
            return await self._found(self.client.find_orders, order.reference)

        return await self.ensure("order", order.reference, create, find)
