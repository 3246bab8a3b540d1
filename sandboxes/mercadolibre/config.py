"""Every knob of a sandbox run. Faults and budgets default to off; the world is fixed by `seed`."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

DEFAULT_CLIENT_ID = "1234567890123456"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - documented sandbox placeholder
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8080/oauth/callback"
DEFAULT_START = "2026-03-02T12:00:00.000Z"


class ConfigValueError(ValueError):
    """A knob value that makes no sense (negative rate, probability above 1, ...)."""


@dataclass
class Faults:
    """Run-time faults. All off by default; mutable at run time through `PUT /_sandbox/faults`.

    Rates are probabilities per request (or per notification), times are milliseconds or seconds as named.
    `fault_related` answers 404 or 403 on the documents related to an order (shipment, its history and
    items, payment, claims search, claim, return), never on the order itself.
    `app_rps`/`seller_rps` are request budgets per second (token buckets, burst = one second of budget);
    0 means unlimited.
    """

    fault_5xx: float = 0.0
    fault_429: float = 0.0
    fault_related: float = 0.0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    timeout_rate: float = 0.0
    timeout_s: float = 30.0
    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    late_s: float = 300.0
    reorder_rate: float = 0.0
    app_rps: float = 0.0
    seller_rps: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    def update(self, values: dict[str, Any]) -> None:
        """Apply a partial update; unknown keys or bad values raise ConfigValueError (nothing is changed)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigValueError(f"unknown fault knobs: {', '.join(unknown)}")
        checked: dict[str, float] = {}
        for key, raw in values.items():
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ConfigValueError(f"{key} must be a number")
            checked[key] = _check(key, float(raw))
        for key, value in checked.items():
            setattr(self, key, value)


def _check(key: str, value: float) -> float:
    if value < 0:
        raise ConfigValueError(f"{key} must not be negative")
    if key.endswith("_rate") or key.startswith("fault_"):
        if value > 1:
            raise ConfigValueError(f"{key} is a probability between 0 and 1")
    return value


@dataclass
class SandboxConfig:
    """All knobs of one sandbox. The world (sellers, orders, timelines) depends only on the world knobs."""

    seed: int = 7
    sellers: int = 2
    global_sellers: int = 0  # how many of the `sellers` (the last ones) are Global Selling sellers
    orders: int = 20
    historical_orders: int = 0
    history_days: int = 730
    start: str = DEFAULT_START
    rate: float = 0.0
    callback_url: str | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    pkce_required: bool = False
    access_token_ttl_s: float = 21600.0
    code_ttl_s: float = 600.0
    refresh_token_ttl_s: float = 180 * 86400.0
    search_offset_cap: int = 10000
    search_hide_cancelled: bool = False
    notify_time_scale: float = 1.0
    notify_max_attempts: int = 8
    notify_timeout_s: float = 0.5
    notify_concurrency: int = 8
    log_size: int = 100_000
    faults: Faults = field(default_factory=Faults)

    def validate(self) -> None:
        if self.sellers < 0 or self.orders < 0 or self.historical_orders < 0:
            raise ConfigValueError("sellers, orders and historical_orders must not be negative")
        if not 0 <= self.global_sellers <= self.sellers:
            raise ConfigValueError("global_sellers must be between 0 and sellers")
        if self.history_days < 30:
            raise ConfigValueError("history_days must be at least 30")
        if self.rate < 0 or self.notify_time_scale <= 0:
            raise ConfigValueError("rate must be >= 0 and notify_time_scale > 0")
        if self.notify_max_attempts < 1 or self.notify_concurrency < 1:
            raise ConfigValueError("notify_max_attempts and notify_concurrency must be >= 1")
        self.faults.update(self.faults.to_json())

    @property
    def application_id(self) -> int:
        """ML sends the app id as an integer in notifications."""
        return int(self.client_id) if self.client_id.isdigit() else 0


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|m|min|h))?\s*$")
_PER = {None: 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_rate(text: str) -> float:
    """`20/s`, `20`, `600/m`, `0` -> transitions per second."""
    match = _RATE.match(text)
    if not match:
        raise ConfigValueError(f"rate must look like 20/s, 600/m or 0, got {text!r}")
    return float(match.group(1)) / _PER[match.group(2)]
