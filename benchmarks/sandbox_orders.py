"""Benchmark: GET /orders/{id} against the sandbox, faults off.

Starts `meli sandbox` (the click command) in a subprocess on a free loopback port, pinned to one CPU when
the machine has more than one, then drives it from `--clients` other processes, each an aiohttp client
(`--concurrency` connections in all, at most `--requests` requests or `--duration` seconds), and prints
requests per second.

aiohttp's client costs more CPU per request than the sandbox does, so on a small machine the clients
saturate before the sandbox (they float over all CPUs, including the sandbox's). The script therefore also
reads the sandbox's CPU time (Linux `/proc/<pid>/stat`) over the measured window and prints
requests per second of sandbox CPU: the capacity of one core, which is what the ">= 2,000/s on one core"
target is about.

    .venv/bin/python benchmarks/sandbox_orders.py [--requests 30000] [--concurrency 50] [--record]

`--record` appends the result to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

try:
    from benchmarks import procs
except ModuleNotFoundError:  # run as `python benchmarks/sandbox_orders.py`: its own folder is on sys.path
    import procs  # type: ignore[no-redef, import-not-found]

HOST = "127.0.0.1"
RESULTS = Path(__file__).with_name("RESULTS.md")
SERVER_CODE = "import sys; from sandboxes.mercadolibre.cli import sandbox_command; sandbox_command(sys.argv[1:])"


@dataclass
class Outcome:
    requests: int
    errors: int
    seconds: float
    server_cpu_s: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float | None:
        return self.requests / self.server_cpu_s if self.server_cpu_s else None


def cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))


def start_server(port: int, orders: int, server_cpu: int | None) -> subprocess.Popen[bytes]:
    args = ["--port", str(port), "--sellers", "1", "--orders", str(orders), "--rate", "0"]
    command = [sys.executable, "-c", SERVER_CODE, *args]
    if server_cpu is not None:
        command = ["taskset", "-c", str(server_cpu), *command]
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_ready(session: aiohttp.ClientSession, base: str) -> None:
    for _ in range(200):
        try:
            async with session.get(f"{base}/_sandbox") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


async def prepare(session: aiohttp.ClientSession, base: str) -> tuple[str, list[int]]:
    """Apply every planned step, get a token and the seller's order ids."""
    async with session.post(f"{base}/_sandbox/advance", json={"steps": "all"}) as response:
        response.raise_for_status()
    async with session.get(f"{base}/_sandbox/sellers") as response:
        seller = (await response.json())["sellers"][0]["id"]
    async with session.post(f"{base}/_sandbox/sellers/{seller}/tokens") as response:
        token: str = (await response.json())["access_token"]
    ids: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        params = {"seller": str(seller), "offset": str(len(ids))}
        async with session.get(f"{base}/orders/search", params=params, headers=headers) as response:
            body: dict[str, Any] = await response.json()
        ids.extend(order["id"] for order in body["results"])
        if len(ids) >= body["paging"]["total"] or not body["results"]:
            return token, ids


async def drive(base: str, token: str, ids: list[int], total: int, concurrency: int, duration: float) -> Outcome:
    counter = {"sent": 0, "errors": 0}
    deadline = time.perf_counter() + duration
    urls = [URL(f"{base}/orders/{order_id}") for order_id in ids]
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(session: aiohttp.ClientSession) -> None:
        while counter["sent"] < total and time.perf_counter() < deadline:
            url = urls[counter["sent"] % len(urls)]
            counter["sent"] += 1
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    counter["errors"] += 1

    headers = {"Authorization": f"Bearer {token}"}
    skip = ("User-Agent", "Accept-Encoding")
    session = aiohttp.ClientSession(connector=connector, headers=headers, auto_decompress=False, skip_auto_headers=skip)
    async with session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Outcome(counter["sent"], counter["errors"], elapsed)


@dataclass(frozen=True)
class Job:
    base: str
    token: str
    ids: list[int]
    requests: int
    concurrency: int
    duration: float


def client_process(job: Job) -> Outcome:
    """One client process: its own event loop and aiohttp session."""
    return asyncio.run(drive(job.base, job.token, job.ids, job.requests, job.concurrency, job.duration))


def drive_processes(job: Job, clients: int) -> Outcome:
    """Split the requests and connections over `clients` processes; sum what they did."""
    share = Job(job.base, job.token, job.ids, job.requests // clients, job.concurrency // clients, job.duration)
    with ProcessPoolExecutor(max_workers=clients, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(client_process, [share] * clients))
    return Outcome(sum(r.requests for r in results), sum(r.errors for r in results), max(r.seconds for r in results))


async def setup(base: str) -> tuple[str, list[int]]:
    async with aiohttp.ClientSession() as session:
        await wait_ready(session, base)
        return await prepare(session, base)


def run(args: argparse.Namespace) -> tuple[Outcome, str]:
    available = cpus()
    pinned = len(available) > 1 and not args.no_pin and shutil.which("taskset") is not None
    server_cpu = available[0] if pinned else None
    port = procs.free_port()
    server = start_server(port, args.orders, server_cpu)
    base = f"http://{HOST}:{port}"
    try:
        token, ids = asyncio.run(setup(base))
        drive_processes(Job(base, token, ids, min(5000, args.requests), args.concurrency, 5.0), args.clients)
        before = procs.cpu_seconds(server.pid)
        job = Job(base, token, ids, args.requests, args.concurrency, args.duration)
        outcome = drive_processes(job, args.clients)
        after = procs.cpu_seconds(server.pid)
        if before is not None and after is not None:
            outcome.server_cpu_s = after - before
    finally:
        server.terminate()
        server.wait(timeout=10)
    where = f"sandbox pinned to CPU {server_cpu}" if pinned else "sandbox not pinned"
    return outcome, f"{where}; {args.clients} aiohttp client processes, {args.concurrency} connections in all"


def record(outcome: Outcome, placement: str, command: str, nproc: int) -> None:
    stamp = subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()
    section = (
        "\n## Sandbox GET /orders/{id}\n\n"
        f"- Date: {stamp}\n"
        f"- Command: `{command}`\n"
        f"- nproc: {nproc} ({placement})\n"
        f"- Result: {outcome.requests} requests in {outcome.seconds:.2f} s = **{outcome.rate:,.0f} requests/s** "
        f"({outcome.errors} errors, faults off)\n"
        f"- Sandbox CPU: {_cpu_text(outcome)}\n"
    )
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(section)


def _cpu_text(outcome: Outcome) -> str:
    per_cpu = outcome.per_cpu_second
    if per_cpu is None or outcome.server_cpu_s is None:
        return "not measured (no /proc)"
    busy = outcome.server_cpu_s / outcome.seconds
    return f"{outcome.server_cpu_s:.2f} s ({busy:.0%} of its core) = {per_cpu:,.0f} requests per CPU-second"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30_000, help="stop after this many requests")
    parser.add_argument("--duration", type=float, default=20.0, help="stop after this many seconds")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent connections")
    parser.add_argument("--orders", type=int, default=200, help="orders in the sandbox world")
    parser.add_argument("--clients", type=int, default=2, help="client processes (they share the connections)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the sandbox to one CPU")
    parser.add_argument("--record", action="store_true", help="append the result to benchmarks/RESULTS.md")
    args = parser.parse_args()
    nproc = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    outcome, placement = run(args)
    command = shlex.join([".venv/bin/python", *sys.argv])
    print(f"nproc: {nproc}")
    print(f"placement: {placement}")
    print(f"GET /orders/{{id}}: {outcome.requests} requests in {outcome.seconds:.2f} s")
    print(f"requests/s: {outcome.rate:,.0f} (errors: {outcome.errors})")
    print(f"sandbox CPU: {_cpu_text(outcome)}")
    if args.record:
        record(outcome, placement, command, nproc)


if __name__ == "__main__":
    main()
