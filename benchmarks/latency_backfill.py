"""Notification → event lag of live orders while the seller's import of past orders runs.

    .venv/bin/python benchmarks/latency_backfill.py [--history 1500] [--backfill-rate 80] [latency.py options]

The run of `latency.py` (sandbox at 50 ms per API call, web, worker, PostgreSQL, private Redis), except that the
seller also has `--history` past orders and is connected the way the connect flow does it, so the worker imports
them (two phases, `--backfill-rate` ML requests/s) while the sandbox sends live notifications. The lag is that of
live events only (origin other than `backfill`); the run ends when the notifications are processed and the
import is done, and the whole store, history included, must equal the sandbox oracle. The target: live p99 < 5 s.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import AsyncExitStack

import aiohttp
import asyncpg

try:
    from benchmarks import latency
except ModuleNotFoundError:  # run as `python benchmarks/latency_backfill.py`: its own folder is on sys.path
    import latency  # type: ignore[no-redef, import-not-found]

IMPORT = "SELECT phase, status, orders_done, orders_found, api_calls FROM backfill ORDER BY id"


class ImportingRun(latency.Run):
    def __init__(self, args: argparse.Namespace, stack: AsyncExitStack, http: aiohttp.ClientSession) -> None:
        super().__init__(args, stack, http)
        self.sandbox_extra = ["--historical-orders", str(args.history), "--history-days", "730", "--start", "now"]
        self.env_extra = {
            "MELI_BACKFILL_SELLER_RATE": str(args.backfill_rate),
            "MELI_BACKFILL_DEPTH_DAYS": "731",
            "MELI_BACKFILL_CONCURRENCY": "8",
        }

    async def connect(self) -> None:
        from worker.backfill.service import on_account_connected
        from worker.context import app_context, backfill_plan

        await super().connect()
        settings = self.settings.model_copy(update={"backfill_depth_days": 731})  # the phases span the history
        async with app_context(settings) as context:  # what the OAuth callback does after linking
            await on_account_connected(context.db, context.redis, backfill_plan(settings), self.account_id)

    async def imports(self) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.dsn)
        try:
            return list(await connection.fetch(IMPORT))
        finally:
            await connection.close()

    async def drained(self) -> bool:
        return await super().drained() and all(run["status"] == "done" for run in await self.imports())

    async def notes(self) -> list[str]:
        runs = ", ".join(
            f"{r['phase']} {r['status']} {r['orders_done']}/{r['orders_found']} orders, {r['api_calls']} API calls"
            for r in await self.imports()
        )
        return [f"import of {self.args.history} past orders at {self.args.backfill_rate:g} requests/s: {runs}"]


def main() -> int:
    parser = latency.build_parser(__doc__)
    parser.add_argument("--history", type=int, default=1500, help="past orders of the seller, imported meanwhile")
    parser.add_argument("--backfill-rate", type=float, default=80.0, help="MELI_BACKFILL_SELLER_RATE (requests/s)")
    return latency.main(parser.parse_args(), ImportingRun, "Live notification → event lag during an import")


if __name__ == "__main__":
    sys.exit(main())
