"""Webhook intake under load: a bare aiohttp handler and our `POST /webhooks/mercadolibre`, side by side.

    .venv/bin/python benchmarks/intake.py [--threads 2] [--connections 64] [--duration 10] [--rounds 3] [--record]

Needs `wrk` (Debian package: `apt-get install wrk`), PostgreSQL (MELI_TEST_PG_ADMIN, default
postgres@127.0.0.1) and `redis-server` (a private one is started; MELI_BENCH_REDIS_URL uses another Redis).

In one run it creates a throw-away database, migrates it, links one seller (so notifications are recorded
`pending` and enqueued, the real work of the endpoint), then starts two servers on loopback:

- bare: a tiny aiohttp app in a subprocess whose handler reads the body and answers 200 JSON;
- ours: `meli serve` on that database, a private arq queue name, `MELI_LOG_LEVEL=warning`.

Each gets a 2 s warm-up, then the same wrk load (`-t THREADS -c CONNECTIONS -d DURATION --latency`), bare then
ours, ROUNDS times in a row (the idle server costs nothing meanwhile); the verdict takes the median of the
rounds' ratios, since the machine's speed drifts over a minute. The Lua script POSTs an `orders_v2`
notification with a fresh order id and `_id` per request, counts the 200 answers and keeps the inbox id each
one returned. Afterwards it checks that every 200 is in the inbox: each returned id is a committed `pending`
row, ids are unique, the rows not acknowledged are at most the requests still in flight when wrk stopped (wrk
counts no answer it did not read), and the seller's drain is queued.
Targets: ours >= 60 % of bare throughput (median of the rounds), p99 < 50 ms (worst round).
`--record` appends to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from redis.asyncio import Redis

try:
    from benchmarks import procs, results
except ModuleNotFoundError:  # run as `python benchmarks/intake.py`: its own folder is on sys.path
    import procs  # type: ignore[no-redef, import-not-found]
    import results  # type: ignore[no-redef, import-not-found]

SELLER = 241530000
APP_ID = 1234567890123456
PATH = "/webhooks/mercadolibre"
BARE_SERVER = """
import sys
from aiohttp import web

count = 0

async def receive(request):
    global count
    await request.read()
    count += 1
    return web.json_response({"status": "pending", "id": count})

app = web.Application()
app.router.add_post("/webhooks/mercadolibre", receive)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""
LUA = Path(__file__).with_name("intake.lua")  # the wrk script; SELLER, APP_ID, PATH and IDS_FILE filled in


@dataclass
class Load:
    requests: int
    seconds: float
    ok: int
    other: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: str = ""  # the answers other than 200, by status code
    server_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @classmethod
    def parse(cls, output: str) -> Load:
        found = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"wrk printed no result:\n{output}")
        v = {key: int(value) for key, value in (pair.split("=") for pair in found.group(1).split())}
        errors = v["connect"] + v["read"] + v["write"] + v["timeout"]
        others = re.search(r"^OTHER (.*)$", output, re.MULTILINE)
        return cls(
            v["requests"], v["duration_us"] / 1e6, v["ok"], v["other"], errors,
            v["p50"] / 1000, v["p90"] / 1000, v["p99"] / 1000, v["max"] / 1000, others[1] if others else "",
        )  # fmt: skip


@dataclass
class Check:
    acknowledged: int  # 200 answers, warm-up included
    ids_unique: bool
    committed: int  # of the acknowledged ids, rows in the inbox with status pending
    rows: int  # all inbox rows
    queued: int  # jobs in the arq queue: the seller's drain, however many rows wait for it
    in_flight_bound: int

    @property
    def ok(self) -> bool:
        extra = self.rows - self.acknowledged
        return (
            self.ids_unique
            and self.committed == self.acknowledged
            and 0 <= extra <= self.in_flight_bound
            and (self.queued >= 1 or self.rows == 0)
        )


def lua_script(folder: Path, name: str) -> tuple[Path, Path]:
    ids = folder / f"{name}.ids"
    text = LUA.read_text().replace("SELLER", str(SELLER)).replace("APP_ID", str(APP_ID)).replace("PATH", PATH)
    script = folder / f"{name}.lua"
    script.write_text(text.replace("IDS_FILE", str(ids)))
    return script, ids


async def wrk(url: str, script: Path, args: argparse.Namespace, seconds: float) -> str:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency", "--timeout", "5s"]
    process = await asyncio.create_subprocess_exec(
        *argv, "-s", str(script), url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=seconds + 30)
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}:\n{out.decode(errors='replace')}")
    return out.decode()


async def measure(
    child: procs.Child, url: str, folder: Path, args: argparse.Namespace, tag: str
) -> tuple[Load, list[str]]:
    """Warm up, then the measured load; returns it and the inbox ids of every 200 (warm-up included)."""
    warm_script, warm_ids = lua_script(folder, f"{child.name}-{tag}-warm")
    await wrk(url, warm_script, args, 2)
    script, ids = lua_script(folder, f"{child.name}-{tag}")
    before = procs.cpu_seconds(child.process.pid)
    output = await wrk(url, script, args, args.duration)
    after = procs.cpu_seconds(child.process.pid)
    load = Load.parse(output)
    if before is not None and after is not None:
        load.server_cpu = (after - before) / load.seconds
    return load, warm_ids.read_text().split() + ids.read_text().split()


async def verify(bench: procs.Bench, acknowledged: list[str], in_flight_bound: int) -> Check:
    await asyncio.sleep(1.0)  # requests in flight when wrk stopped finish their commit
    connection = await asyncpg.connect(bench.dsn)
    try:
        ids = [int(value) for value in acknowledged]
        committed = await connection.fetchval(
            "SELECT count(*) FROM notification WHERE id = ANY($1::bigint[]) AND status = 'pending'", ids
        )
        rows = await connection.fetchval("SELECT count(*) FROM notification")
    finally:
        await connection.close()
    redis = Redis.from_url(bench.redis_url)
    try:
        queued = await redis.zcard(bench.queue)
    finally:
        await redis.aclose()
    return Check(len(ids), len(set(ids)) == len(ids), committed, rows, queued, in_flight_bound)


Round = tuple[Load, Load]  # bare, ours


async def run(args: argparse.Namespace) -> tuple[list[Round], Check]:
    async with AsyncExitStack() as stack:
        bench = await procs.enter_bench(stack, "intake")
        settings = procs.bench_settings(bench.dsn, bench.redis_url, bench.queue, ml_client_id=str(APP_ID))
        await procs.migrate(settings)
        await procs.connect_seller(settings, SELLER)
        group = bench.group
        bare_port, our_port = procs.free_port(), procs.free_port()
        bare = await group.start("bare", [sys.executable, "-c", BARE_SERVER, str(bare_port)])
        ours = await group.start(
            "ours", [procs.MELI, "serve", "--host", procs.HOST, "--port", str(our_port)], procs.child_env(settings)
        )
        await procs.wait_http(bare, f"http://{procs.HOST}:{bare_port}{PATH}")
        await procs.wait_http(ours, f"http://{procs.HOST}:{our_port}/healthz")
        rounds: list[Round] = []
        acknowledged: list[str] = []
        for number in range(1, args.rounds + 1):  # interleaved: a slow minute of the machine hits both servers
            bare_load, _ = await measure(bare, f"http://{procs.HOST}:{bare_port}", group.folder, args, str(number))
            our_url = f"http://{procs.HOST}:{our_port}"
            our_load, ids = await measure(ours, our_url, group.folder, args, str(number))
            rounds.append((bare_load, our_load))
            acknowledged += ids
        # wrk stops with up to `connections` requests unread, after every warm-up and every measured run
        check = await verify(bench, acknowledged, 2 * args.rounds * args.connections)
        return rounds, check


def table(rounds: list[Round]) -> list[str]:
    lines = [
        "| round | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-200 | socket errors | server CPU |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for number, (bare, ours) in enumerate(rounds, 1):
        for name, load in (("bare aiohttp", bare), ("ours (webhook)", ours)):
            cpu = f"{load.server_cpu:.0%}" if load.server_cpu is not None else "n/a"
            lines.append(
                f"| {number} | {name} | {load.rate:,.0f} | {load.p50_ms:.2f} | {load.p90_ms:.2f} | "
                f"{load.p99_ms:.2f} | {load.max_ms:.1f} | {load.other}{f' ({load.statuses})' if load.other else ''} | "
                f"{load.errors} | {cpu} |"
            )
    return lines


def verdicts(rounds: list[Round], check: Check) -> list[str]:
    ratios = [ours.rate / bare.rate for bare, ours in rounds]
    ratio = statistics.median(ratios)
    p99 = max(ours.p99_ms for _, ours in rounds)
    return [
        f"throughput ours/bare by round: {', '.join(f'{value:.0%}' for value in ratios)}; median {ratio:.0%} "
        f"(target >= 60 %: {'met' if ratio >= 0.6 else 'NOT met'})",
        f"p99 ours, worst round: {p99:.1f} ms (target < 50 ms: {'met' if p99 < 50 else 'NOT met'})",
        f"inbox check: {check.acknowledged} answered 200 (warm-ups included), {check.committed} of them committed "
        f"pending rows, ids unique: {check.ids_unique}; {check.rows} rows in all "
        f"({check.rows - check.acknowledged} answered after wrk stopped, bound {check.in_flight_bound}); "
        f"the seller's drain queued: {check.queued >= 1} -> {'OK' if check.ok else 'FAILED'}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of measured load per server (<= 30)")
    parser.add_argument("--rounds", type=int, default=3, help="bare, then ours, this many times (median ratio)")
    parser.add_argument("--record", action="store_true", help="append the result to benchmarks/RESULTS.md")
    args = parser.parse_args()
    args.duration = min(args.duration, 30.0)
    if shutil.which("wrk") is None:
        print("wrk is not installed: it is a Debian package, `apt-get update && apt-get install -y wrk`")
        return 2
    procs.exit_on_sigterm()
    load = procs.load_average()
    rounds, check = asyncio.run(run(args))
    notes = [f"load average before the run: {load}", *verdicts(rounds, check)]
    lines = [*table(rounds), "", *(f"- {line}" for line in notes)]
    print(f"nproc: {procs.nproc()}")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s (after a 2 s warm-up each)")
    print("\n".join(lines))
    if args.record:
        setup = (
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s, {args.rounds} interleaved rounds "
            "(bare then ours) in one run, servers unpinned, "
            "PostgreSQL and a private Redis on the same machine"
        )
        results.append_results("Webhook intake vs bare aiohttp (wrk)", setup, ["", *lines])
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
