"""What a chaos run does and when: the knobs of the run, the sandbox's base faults, and the timeline of
disruptions, each fired when the scenario reaches a share of its planned lifecycle steps (so the kills land
while work is in flight, whatever the speed of the machine)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Final

# The sandbox's faults for the whole run (CLI flags of `meli sandbox`). Time-like knobs are scaled by
# --notify-time-scale: a late notification waits late_s x scale, a reordered one 1-10 s x scale.
BASE_FAULTS: Final = {
    "fault_5xx": 0.05,
    "fault_429": 0.02,
    "latency_ms": 2.0,
    "latency_jitter_ms": 20.0,
    "duplicate_rate": 0.05,
    "late_rate": 0.02,
    "late_s": 150.0,
    "reorder_rate": 0.10,
}
SPIKE: Final = {"latency_ms": 250.0, "latency_jitter_ms": 1000.0}


@dataclass(frozen=True)
class Step:
    at: float  # share of the planned lifecycle steps applied
    action: str  # burst | kill | restart-redis | expire-tokens | spike
    target: str = ""

    def label(self) -> str:
        return f"{self.action} {self.target}".strip()


FULL_PLAN: Final = (
    Step(0.08, "burst"),
    Step(0.15, "kill", "worker-1"),
    Step(0.22, "spike"),
    Step(0.30, "expire-tokens"),
    Step(0.36, "burst"),
    Step(0.42, "kill", "web-2"),
    Step(0.50, "spike"),
    Step(0.56, "restart-redis"),
    Step(0.63, "burst"),
    Step(0.70, "kill", "worker-2"),
    Step(0.80, "spike"),
    Step(0.88, "burst"),
)
# The short plan restarts Redis first (a restart wipes the resource locks and arq's in-progress keys a killed
# worker leaves behind, which would hide their expiry) and kills a worker once the restarted ones are busy.
SHORT_PLAN: Final = (
    Step(0.05, "burst"),
    Step(0.10, "restart-redis"),
    Step(0.20, "spike"),
    Step(0.30, "kill", "worker-1"),
    Step(0.40, "expire-tokens"),
    Step(0.55, "kill", "web-1"),
    Step(0.80, "burst"),
)


@dataclass(frozen=True)
class Options:
    sellers: int
    orders_per_seller: int
    seconds: float  # how long the driver takes to play the scenario (bursts make it a little shorter)
    seed: int
    drain_timeout: float
    notify_time_scale: float
    burst_share: float  # each burst applies this share of the planned steps at once
    spike_seconds: float
    kill_pause: float  # seconds between a SIGKILL and the restart
    short: bool

    @property
    def plan(self) -> tuple[Step, ...]:
        return SHORT_PLAN if self.short else FULL_PLAN


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the ~2 minute version (3 x 40 orders, one of each)")
    parser.add_argument("--sellers", type=int, help="sellers (default 3)")
    parser.add_argument("--orders-per-seller", type=int, help="live orders per seller (default 700; short 40)")
    parser.add_argument("--seconds", type=float, help="time to play the scenario (default 600; short 30)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox world seed (default 7)")
    parser.add_argument("--drain-timeout", type=float, help="max wait for everything to be processed (s)")
    parser.add_argument("--notify-time-scale", type=float, default=0.1, help="sandbox notification time scale")
    args = parser.parse_args(argv)
    short = bool(args.short)
    return Options(
        sellers=args.sellers or 3,
        orders_per_seller=args.orders_per_seller or (40 if short else 700),
        seconds=args.seconds or (30.0 if short else 600.0),
        seed=args.seed,
        drain_timeout=args.drain_timeout or (480.0 if short else 900.0),
        notify_time_scale=args.notify_time_scale,
        burst_share=0.05 if short else 0.03,
        spike_seconds=4.0 if short else 6.0,
        kill_pause=1.0,
        short=short,
    )


def sandbox_flags(options: Options) -> list[str]:
    flags = [f"--{name.replace('_', '-')}={value:g}" for name, value in BASE_FAULTS.items()]
    return [*flags, f"--notify-time-scale={options.notify_time_scale:g}"]
