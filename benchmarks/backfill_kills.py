"""The backfill benchmark's worker with SIGKILLs: `meli worker` (long-running, as deployed) is killed when the
import has processed 1/(K+1), 2/(K+1), ... of the target orders and started again at once; the run ends when
every backfill run of the account is done. What a killed worker leaves behind (its locks, its job marked in
progress) is left to the product's own recovery: lock expiry and the `resume_backfills` cron."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from benchmarks.procs import MELI, Bench, Child, cpu_seconds
from worker.settings import Settings


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM, Linux), 0 when unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


async def _progress(settings: Settings, account_id: int) -> tuple[int, bool]:
    """(orders processed, every run done)."""
    from worker.store.backfills import account_runs
    from worker.store.db import open_database

    db = open_database(settings.database_url, pool_size=1)
    try:
        runs = await account_runs(db, account_id)
    finally:
        await db.close()
    processed = sum(run.orders_done + run.orders_failed for run in runs)
    return processed, bool(runs) and all(run.status == "done" for run in runs)


def _sample(child: Child, peak: float, cpu: float) -> tuple[float, float]:
    return max(peak, peak_rss_mb(child.process.pid)), cpu_seconds(child.process.pid) or cpu


async def run_worker_killing(
    bench: Bench, settings: Settings, env: dict[str, str], account_id: int, target: int, kills: int
) -> tuple[float, float, float, int]:
    """(seconds, peak RSS MB of any worker, CPU seconds of all workers, kills done)."""
    marks = [target * (n + 1) / (kills + 1) for n in range(kills)]
    started, peak, cpu_before, cpu, done = time.perf_counter(), 0.0, 0.0, 0.0, 0
    child = await bench.group.start("worker", [MELI, "worker"], env)
    while True:
        await asyncio.sleep(0.5)
        peak, cpu = _sample(child, peak, cpu)
        processed, finished = await _progress(settings, account_id)
        if finished:
            break
        if child.process.returncode is not None:
            raise RuntimeError(f"the worker exited with {child.process.returncode}:\n{child.tail()}")
        if marks and processed >= marks[0]:
            marks.pop(0)
            child.process.send_signal(signal.SIGKILL)
            await child.process.wait()
            cpu_before, cpu, done = cpu_before + cpu, 0.0, done + 1
            print(f"  SIGKILL worker at {processed:,} orders processed ({time.perf_counter() - started:.0f} s)")
            child = await bench.group.start(f"worker-{done + 1}", [MELI, "worker"], env)
    seconds = time.perf_counter() - started
    await bench.group.stop(child)
    return seconds, peak, cpu_before + cpu, done
