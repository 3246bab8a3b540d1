"""What the pipeline works with, built by the worker's composition root (worker/jobs/deps.py): narrow parts
and the few rules it needs from the settings, never the settings themselves."""

from __future__ import annotations

from dataclasses import dataclass

from arq.connections import ArqRedis

from connectors.mercadolibre.client import MlClient
from connectors.mercadolibre.mapping import MappingOptions
from worker.metrics import Metrics
from worker.store.db import Database


@dataclass(frozen=True)
class Rules:
    queue_name: str
    attempt_budget: int  # failed ML calls one inbox row may cost, client retries and later tries together
    max_tries: int  # times a row is tried before it fails
    suspect_burst: int  # 404/403 answers a minute that put a seller under suspicion of forged notifications
    catchup_interval: float
    release_per_catchup: int  # throttled rows a catch-up gives back their own fetch
    waiting_after: float  # a due row older than this lost its drain: the sweeper asks for one
    batch_size: int = 200  # rows a drain loads at a time
    drain_seconds: float = 5.0  # a drain yields after this long and a follow-up job continues: any worker may
    # take that job, so drains spread over the workers and other sellers get their turn
    concurrency: int = 64  # orders one batch syncs at the same time
    refetch_first_pause: float = 60.0
    refetch_max_attempts: int = 8


@dataclass
class Pipeline:
    db: Database
    redis: ArqRedis
    client: MlClient
    options: MappingOptions
    metrics: Metrics
    rules: Rules
