"""Chaos run: the whole product as real processes, under faults and kills, must lose and duplicate nothing.

    .venv/bin/python benchmarks/chaos.py [--sellers 3 --orders-per-seller 700 --seconds 600] [--short]

Loopback only. Starts a private `redis-server` (no persistence), a throw-away PostgreSQL database
(MELI_TEST_PG_ADMIN, default postgres@127.0.0.1), `meli sandbox` with 5 % 5xx, 2 % 429, latency, duplicated,
late and reordered notifications, two `meli serve` behind a round-robin proxy and two `meli worker`. It
connects every sandbox seller, plays the scenario (the sandbox planner's full lifecycle mix) and, at set
shares of the planned steps (`chaos_plan.py`), sends notification bursts, SIGKILLs a worker twice and a web
process once (restarting them), restarts Redis with its data gone, expires every access token and adds latency
spikes. Then it waits (bounded) until every notification is delivered and processed and checks: event store
== sandbox oracle for every seller (0 missing, 0 duplicated, same amounts and tracked_at) and no inbox row
left pending or parked. It prints a summary table and exits 0 only then. `make chaos` runs the full size
(about 12 minutes on 2 CPUs); `--short` (3 x 40 orders, one disruption of each kind, 1-6 minutes) is run by
`make test` (tests/chaos). Every process it starts is stopped by pid and the database dropped, also on
failure or SIGTERM.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import aiohttp

from sandboxes.mercadolibre.sites import SITES
from worker.demo.sellers import granted_tokens, link_seller
from worker.settings import Settings, one_server
from worker.store.crypto import TokenCipher
from worker.store.db import Database, open_database
from worker.store.inbox import count_by_status

try:
    from benchmarks import chaos_check as check
    from benchmarks import procs
    from benchmarks.chaos_cluster import Cluster, Proxy, Slot, http_slot, redis_binary, redis_slot
    from benchmarks.chaos_plan import BASE_FAULTS, SPIKE, Options, Step, parse_options, sandbox_flags
    from benchmarks.chaos_report import Observed, Tally, passed, render
except ModuleNotFoundError:  # run as `python benchmarks/chaos.py`: its own folder is on sys.path
    import chaos_check as check  # type: ignore[no-redef, import-not-found]
    import procs  # type: ignore[no-redef, import-not-found]
    from chaos_cluster import (  # type: ignore[no-redef, import-not-found]
        Cluster,
        Proxy,
        Slot,
        http_slot,
        redis_binary,
        redis_slot,
    )
    from chaos_plan import (  # type: ignore[no-redef, import-not-found]
        BASE_FAULTS,
        SPIKE,
        Options,
        Step,
        parse_options,
        sandbox_flags,
    )
    from chaos_report import Observed, Tally, passed, render  # type: ignore[no-redef, import-not-found]

FAULT_POLL_S = 5.0


@dataclass
class Run:
    options: Options
    cluster: Cluster
    control: check.Control
    db: Database
    settings: Settings
    proxy: Proxy
    businesses: dict[int, int] = field(default_factory=dict)  # seller id -> business id
    tally: Tally = field(default_factory=Tally)
    faults: check.FaultLog = field(default_factory=check.FaultLog)
    started: float = field(default_factory=time.monotonic)
    background: list[asyncio.Task[None]] = field(default_factory=list)
    _polled: float = 0.0

    def note(self, text: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f} s  {text}"
        self.tally.timeline.append(line)
        print(line, flush=True)

    async def tick(self) -> None:
        """Restart what died on its own; read the sandbox's request log every few seconds."""
        for note in await self.cluster.supervise():
            self.tally.crashes.append(note)
            self.note(note)
        if time.monotonic() - self._polled > FAULT_POLL_S:
            await self.faults.poll(self.control)
            self._polled = time.monotonic()


def child_env(settings: Settings) -> dict[str, str]:
    env = procs.child_env(settings)
    env["MELI_INBOX_REQUEUE_SECONDS"] = f"{settings.inbox_requeue_seconds:g}"
    env["MELI_WORKER_METRICS_PORT"] = "0"
    return env


async def connect_sellers(run: Run) -> None:
    """A business per sandbox seller, linked with tokens the sandbox grants (no browser)."""
    cipher = TokenCipher([key.get_secret_value() for key in run.settings.token_encryption_keys])
    for seller in (await run.control.call("GET", "/_sandbox/sellers"))["sellers"]:
        country = SITES[seller["site_id"]].country_id
        tokens = granted_tokens(await run.control.call("POST", f"/_sandbox/sellers/{seller['id']}/tokens"))
        linked = await link_seller(
            run.db, cipher, (f"Chaos {seller['nickname']}", country),
            (seller["id"], seller["site_id"], seller["nickname"]), tokens,
        )  # fmt: skip
        run.businesses[seller["id"]] = linked.business_id


async def spike(run: Run) -> None:
    await run.control.call("PUT", "/_sandbox/faults", SPIKE)
    await asyncio.sleep(run.options.spike_seconds)
    await run.control.call("PUT", "/_sandbox/faults", {key: BASE_FAULTS[key] for key in SPIKE})


async def fire(run: Run, step: Step) -> str:
    tally = run.tally
    if step.action == "burst":
        size = max(10, int(tally.steps * run.options.burst_share))
        applied = (await run.control.call("POST", "/_sandbox/advance", {"steps": size})).get("applied", size)
        tally.bursts, tally.burst_steps = tally.bursts + 1, tally.burst_steps + int(applied)
        return f"burst: {applied} steps at once"
    if step.action == "kill":
        tally.kills[step.target.split("-")[0]] += 1
        return await run.cluster.kill(step.target, run.options.kill_pause)
    if step.action == "restart-redis":
        tally.redis_restarts += 1
        return "Redis: " + await run.cluster.kill("redis", run.options.kill_pause) + " (empty)"
    if step.action == "expire-tokens":
        expired = int((await run.control.call("POST", "/_sandbox/tokens/expire"))["expired"])
        tally.tokens_expired.append(expired)
        return f"expired every access token ({expired})"
    tally.spikes += 1
    run.background.append(asyncio.create_task(spike(run)))
    return f"latency spike for {run.options.spike_seconds:g} s"


async def play(run: Run) -> None:
    """Drive the scenario; fire each step of the plan when its share of the planned steps is applied."""
    tally, options = run.tally, run.options
    tally.steps = await run.control.pending_steps()
    tally.rate = max(1.0, tally.steps / options.seconds)
    plan = list(options.plan)
    await run.control.call("PUT", "/_sandbox/driver", {"rate": tally.rate})
    run.note(f"driver started: {tally.steps:,} steps at {tally.rate:.1f} steps/s")
    deadline = time.monotonic() + 3 * options.seconds + 120
    while True:
        await run.tick()
        pending = await run.control.pending_steps()
        while plan and plan[0].at <= 1 - pending / max(1, tally.steps):
            run.note(f"[{plan[0].label()}] " + await fire(run, plan.pop(0)))
        if pending == 0 and not plan:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the scenario did not finish playing: {pending} steps pending")
        await asyncio.sleep(0.5)
    await asyncio.gather(*run.background)
    tally.play_seconds = time.monotonic() - run.started
    run.note("every planned step applied")


async def drain(run: Run) -> None:
    """Wait until nothing is left anywhere, three checks in a row (bounded by --drain-timeout). Every 10 s it
    prints where things are; when nothing moved for 20 s, also the oldest open rows and their jobs."""
    tally, began, settings = run.tally, time.monotonic(), run.settings
    stable, shown, moved, left = 0, 0.0, time.monotonic(), -1
    while stable < 3 and time.monotonic() - began < run.options.drain_timeout:
        await run.tick()
        state = await check.drained(run.control, run.db, settings.redis_url, settings.queue_name)
        tally.drain_state, stable = state.text, stable + 1 if state.done else 0
        if state.open_rows != left:
            moved, left = time.monotonic(), state.open_rows
        if time.monotonic() - shown > 10:
            run.note(f"draining: {state.text}")
            shown = time.monotonic()
            if time.monotonic() - moved > 20:
                rows = await check.open_rows(run.db, settings.redis_url, settings.queue_name)
                print("\n".join(f"          {line}" for line in rows), flush=True)
        await asyncio.sleep(1.0)
    tally.drained = stable >= 3
    tally.drain_seconds = time.monotonic() - began
    run.note(f"{'drained' if tally.drained else 'NOT drained'}: {tally.drain_state}")


async def observe(run: Run) -> Observed:
    await run.faults.poll(run.control)
    return Observed(
        deliveries=await check.delivery_stats(run.control),
        faults=run.faults.counts(),
        inbox=await count_by_status(run.db),
        lag=await check.lag_seconds(run.db),
        verdict=await check.verify(run.control, run.db, run.businesses),
        proxy_refused=run.proxy.refused,
    )


async def launch(stack: AsyncExitStack, options: Options) -> Run:
    """Private Redis, database, sandbox, proxy, 2 web, 2 workers; every seller connected."""
    binary = redis_binary()
    assert binary is not None
    dsn = await stack.enter_async_context(procs.throwaway_database("meli_chaos"))  # dropped after the children stop
    cluster = Cluster(await stack.enter_async_context(procs.children()))
    ports = {name: procs.free_port() for name in ("redis", "sandbox", "proxy", "web-1", "web-2")}
    await cluster.add(redis_slot(binary, ports["redis"], str(cluster.group.folder)))
    sandbox_url = f"http://{procs.HOST}:{ports['sandbox']}"
    settings = run_settings(dsn, ports["redis"], sandbox_url)
    await procs.migrate(settings)
    webs = [f"http://{procs.HOST}:{ports[name]}" for name in ("web-1", "web-2")]
    proxy = Proxy(webs)
    stack.push_async_callback(proxy.close)
    callback = await proxy.start(ports["proxy"]) + "/webhooks/mercadolibre"
    await cluster.add(http_slot("sandbox", sandbox_argv(options, ports["sandbox"], callback), None,
                                f"{sandbox_url}/_sandbox"))  # fmt: skip
    db = open_database(settings.database_url)
    stack.push_async_callback(db.close)
    http = await stack.enter_async_context(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)))
    run = Run(options, cluster, check.Control(http, sandbox_url), db, settings, proxy)
    await connect_sellers(run)
    env = child_env(settings)
    for name, url in zip(("web-1", "web-2"), webs, strict=True):
        argv = [procs.MELI, "serve", "--host", procs.HOST, "--port", url.rsplit(":", 1)[1]]
        await cluster.add(http_slot(name, argv, env, f"{url}/healthz"))
    for name in ("worker-1", "worker-2"):
        await cluster.add(Slot(name, [procs.MELI, "worker"], env))
    return run


def run_settings(dsn: str, redis_port: int, sandbox_url: str) -> Settings:
    """ML rate budgets raised so the run is quick; lost jobs are queued again after 5 s (default 120 s); the
    intake budget opened for the run's genuine bursts (as in `procs.bench_settings`)."""
    return Settings(
        database_url=dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        redis_url=f"redis://{procs.HOST}:{redis_port}/0",
        queue_name=f"meli-chaos:{uuid.uuid4().hex[:8]}",
        ml_app_rate=500.0,
        ml_seller_rate=200.0,
        inbox_requeue_seconds=5.0,
        log_level="warning",
        webhook_seller_rate=100_000.0,
        webhook_seller_burst=10_000,
        inbox_max_pending_per_seller=1_000_000,
        internal_port=0,
    ).model_copy(update=one_server(sandbox_url))


def sandbox_argv(options: Options, port: int, callback: str) -> list[str]:
    return [
        procs.MELI, "sandbox", "--host", procs.HOST, "--port", str(port), "--seed", str(options.seed),
        "--sellers", str(options.sellers), "--orders", str(options.orders_per_seller), "--rate", "0",
        "--callback-url", callback, *sandbox_flags(options),
    ]  # fmt: skip


async def main(options: Options) -> int:
    async with AsyncExitStack() as stack:
        run = await launch(stack, options)
        run.note(f"started: {len(run.businesses)} sellers connected; {procs.nproc()} CPUs")
        await play(run)
        await drain(run)
        seen = await observe(run)
        print(render(options, run.tally, seen), flush=True)
        return 0 if passed(run.tally, seen) else 1
    raise AssertionError("unreachable")


if __name__ == "__main__":
    if redis_binary() is None:
        sys.exit("chaos: redis-server is not installed (Debian package: redis-server)")
    procs.exit_on_sigterm()
    sys.exit(asyncio.run(main(parse_options())))
