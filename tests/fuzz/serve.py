"""The fuzz tests' live app for the schemathesis CLI: `python -m tests.fuzz.serve` migrates a throw-away SQLite
file, serves the app with its two tenants on 127.0.0.1 (Redis from MELI_TEST_REDIS_URL, as the tests), writes the
OpenAPI document to a file and prints the `st run` line to check it with; Ctrl-C or SIGTERM stops it.

    python -m tests.fuzz.serve
    st run /tmp/.../openapi.json -u http://127.0.0.1:PORT --checks all -n 200 -H 'Authorization: Bearer mk_...'
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import tempfile
import time
import uuid
from pathlib import Path

import requests

from tests.conftest import REDIS_URL
from tests.fuzz.conftest import INTERNAL_TOKEN
from tests.fuzz.live import LiveApp
from worker.settings import Settings
from worker.store.db import open_database
from worker.store.migrate import upgrade


async def migrated(url: str) -> None:
    db = open_database(url)
    try:
        await upgrade(db)
    finally:
        await db.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # stop as Ctrl-C does: the app's Redis keys are deleted
    folder = Path(tempfile.mkdtemp(prefix="meli-fuzz-"))
    url = f"sqlite+aiosqlite:///{folder / 'meli.db'}"
    asyncio.run(migrated(url))
    settings = Settings(
        _env_file=None, database_url=url, redis_url=REDIS_URL, queue_name=f"meli:fuzz:{uuid.uuid4().hex[:8]}",
        worker_metrics_port=0, internal_token=INTERNAL_TOKEN, api_auth_failures_per_minute=100_000,
        connect_starts_per_link=10_000, connect_starts_per_address=100_000,
    )  # fmt: skip
    app = LiveApp(settings).start()
    try:
        auth = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
        document = folder / "openapi.json"
        document.write_bytes(requests.get(f"{app.url}/openapi.json", headers=auth, timeout=10).content)
        key = f"Authorization: Bearer {app.tenants[0].api_key}"
        print(f"st run {document} -u {app.url} --checks all -n 200 -H {shlex.quote(key)}", flush=True)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        app.stop()


if __name__ == "__main__":
    main()
