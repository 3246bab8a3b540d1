"""What a run cost besides CPU: Redis commands (the private Redis's own count, every process together) and what
the workers' /metrics count (SQL statements, ML requests), read before and after the measured part."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

WORKER_SAMPLES = {"meli_db_statements_total": "SQL statements", "meli_ml_requests_total": "ML requests"}


async def redis_commands(url: str) -> Counter[str]:
    """Calls per command since the Redis server started (`INFO commandstats`)."""
    redis = Redis.from_url(url)
    try:
        stats = await redis.info("commandstats")
    finally:
        await redis.aclose()
    return Counter({name.removeprefix("cmdstat_"): int(values["calls"]) for name, values in stats.items()})


async def scrape(http: aiohttp.ClientSession, port: int) -> Counter[str]:
    """The worker samples in WORKER_SAMPLES, summed over their labels."""
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    found: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in WORKER_SAMPLES:
                found[WORKER_SAMPLES[sample.name]] += int(sample.value)
            if sample.name == "meli_ml_requests_total":
                found[f"GET {sample.labels['endpoint']}"] += int(sample.value)
            if sample.name == "meli_job_seconds_count" and sample.labels.get("job") == "drain_seller":
                # a drain that found its seller's drain held by another worker: the only wait between workers
                found["drains" if sample.labels.get("outcome") == "done" else "lock waits"] += int(sample.value)
    return found


@dataclass
class Counts:
    redis: Counter[str] = field(default_factory=Counter)
    workers: Counter[str] = field(default_factory=Counter)

    @classmethod
    async def read(cls, http: aiohttp.ClientSession, redis_url: str, ports: list[int]) -> Counts:
        workers: Counter[str] = Counter()
        for port in ports:
            workers += await scrape(http, port)
        return cls(await redis_commands(redis_url), workers)

    def since(self, before: Counts) -> Counts:
        return Counts(self.redis - before.redis, self.workers - before.workers)

    def per_row(self, rows: int) -> str:
        """One line: each count per processed inbox row, the busiest Redis commands named."""
        if not rows:
            return "no rows processed"
        top = ", ".join(f"{name} {calls / rows:.2f}" for name, calls in self.redis.most_common(4))
        totals = sorted((name, value) for name, value in self.workers.items() if not name.startswith("GET "))
        worker = ", ".join(f"{name} {value / rows:.2f}" for name, value in totals)
        calls = [(name, value) for name, value in self.workers.most_common() if name.startswith("GET ")]
        worker += " [" + ", ".join(f"{name} {value / rows:.2f}" for name, value in calls) + "]"
        redis = f"Redis commands {self.redis.total() / rows:.2f} ({top}; all processes)"
        return f"per processed row: {worker} (workers); {redis}"
