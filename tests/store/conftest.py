from __future__ import annotations

import pytest

from tests.harness.shop import Shop, open_shop, paid_order
from worker.store.db import Database


@pytest.fixture
async def shop(db: Database) -> Shop:
    """Given a business with one buyer and one order."""
    return await open_shop(db, order=paid_order())
