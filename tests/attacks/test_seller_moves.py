"""A seller disconnected from one business can connect to another: its fresh consent at Mercado Libre proves it
is the seller's will. (It used to be refused forever: 409 "connected to another business".) A seller still
connected elsewhere is refused as before."""

from __future__ import annotations

from tests.connect.conftest import Stack, open_browser, stack
from tests.connect.test_connect_flow import heading
from worker.store.accounts import disconnect_account, get_account, get_account_by_seller, list_accounts
from worker.store.businesses import create_business

__all__ = ["stack"]


async def test_a_disconnected_seller_connects_to_another_business(stack: Stack) -> None:
    seller = (await stack.sandbox.sellers())["MCO"]
    other, _ = await create_business(stack.context.db, "Otra Tienda", "CO")
    assert other.id is not None
    async with open_browser(stack) as first:
        await first.connect(await stack.connect_token(), seller["login"])
    old = await get_account_by_seller(stack.context.db, seller["id"])
    assert old is not None and old.id is not None
    async with open_browser(stack) as taken:
        refused = await taken.connect(await stack.connect_token(other.id), seller["login"])
    await disconnect_account(stack.context.db, old.id)

    async with open_browser(stack) as second:
        moved = await second.connect(await stack.connect_token(other.id), seller["login"])
    new = await get_account_by_seller(stack.context.db, seller["id"])
    old_after = await get_account(stack.context.db, old.id)

    assert refused.status == 409 and heading(refused.text) == "This seller is connected to another business"
    assert moved.status == 303
    assert new is not None and (new.business_id, new.status) == (other.id, "active") and new.id != old.id
    assert old_after is not None and (old_after.business_id, old_after.status) == (stack.business_id, "disconnected")
    assert [a.id for a in await list_accounts(stack.context.db, stack.business_id)] == [old.id]
