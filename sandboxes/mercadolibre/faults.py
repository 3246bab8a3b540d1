"""Request faults and budgets: token-bucket rate limits (429 + Retry-After), random 429/5xx, latency,
timeouts, and 404/403 now and then on the documents related to an order (`fault_related`: shipment, its
history and items, payment, claims search, claim, return; never the order itself), as ML answers while a
related document is not replicated yet or briefly refuses the seller's token. Each request draws anew, so a
later request may succeed. Randomness comes from a fault RNG seeded apart from the world RNG, so faults never
change the world; the buckets use the injected monotonic clock.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sandboxes.mercadolibre.config import Faults
from sandboxes.mercadolibre.errors import MLError, OAuthError, too_many_requests

RELATED_PREFIXES: Final = ("/shipments/", "/collections/", "/v1/payments/", "/post-purchase/")
RELATED: Final = {
    "ml": (
        (404, "not_found", "Resource not found"),
        (403, "forbidden", "caller is not allowed to access this resource"),
    ),
    "claims": (
        (404, "business_logic_error", "Resource not found"),
        (403, "forbidden_error", "You don't have permission to access the resource"),
    ),
}
FIVE_XX = (
    (500, "internal_server_error", "Internal Server Error"),
    (502, "bad_gateway", "Bad Gateway"),
    (503, "service_not_available", "Service not available"),
)


@dataclass(slots=True)
class Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """One bucket per key; capacity = one second of budget (at least 1 request)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}

    def take(self, key: str, rate: float) -> float:
        """Take one token. Returns 0 when allowed, else the seconds until a token is available."""
        now = self.clock()
        capacity = max(1.0, rate)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate


class FaultGate:
    def __init__(self, faults: Faults, seed: int, clock: Callable[[], float]) -> None:
        self.faults = faults
        self.rng = random.Random(f"{seed}/faults")
        self.buckets = TokenBuckets(clock)

    def active(self) -> bool:
        f = self.faults
        latency = bool(f.latency_ms or f.latency_jitter_ms or f.timeout_rate)
        return latency or bool(f.fault_5xx or f.fault_429 or f.fault_related or f.app_rps or f.seller_rps)

    async def check(self, seller_id: int | None, oauth: bool, path: str = "") -> None:
        """Sleep for latency, hang for a timeout, or raise the 429/5xx/404/403 this request gets."""
        f, rng = self.faults, self.rng
        delay = f.latency_ms + (rng.uniform(0, f.latency_jitter_ms) if f.latency_jitter_ms else 0.0)
        if delay:
            await asyncio.sleep(delay / 1000)
        if f.timeout_rate and rng.random() < f.timeout_rate:
            await asyncio.sleep(f.timeout_s)
            raise MLError(504, "gateway_timeout", "Gateway Timeout")
        self._budget("app", f.app_rps, oauth)
        if seller_id is not None:
            self._budget(f"seller:{seller_id}", f.seller_rps, oauth)
        if f.fault_429 and rng.random() < f.fault_429:
            raise too_many_requests(1, oauth)
        if f.fault_5xx and rng.random() < f.fault_5xx:
            status, error, message = rng.choice(FIVE_XX)
            raise (OAuthError if oauth else MLError)(status, error, message)
        if f.fault_related and path.startswith(RELATED_PREFIXES) and rng.random() < f.fault_related:
            status, error, message = rng.choice(RELATED["claims" if path.startswith("/post-purchase/") else "ml"])
            raise MLError(status, error, message)

    def _budget(self, key: str, rate: float, oauth: bool) -> None:
        if rate <= 0:
            return
        wait = self.buckets.take(key, rate)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)), oauth)
