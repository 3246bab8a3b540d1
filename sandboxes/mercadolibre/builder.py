"""Builds the world of a run from its config: sellers, their buyers and items, history and live plans.

Every seller draws from its own `random.Random(f"{seed}/{n}/...")`, so one seller's world does not depend
on how many orders another seller has. Historical orders are created between `history_days` and 30 days
before the start and are fully applied (no notifications) before the live part begins.
"""

from __future__ import annotations

import random
from typing import Final

from sandboxes.mercadolibre.clock import DAY, MINUTE, SECOND, parse_instant
from sandboxes.mercadolibre.config import SandboxConfig
from sandboxes.mercadolibre.engine import Engine
from sandboxes.mercadolibre.planner import MAX_PLAN_MS, Planner
from sandboxes.mercadolibre.population import make_buyer, make_items, make_seller
from sandboxes.mercadolibre.scenarios import next_scenario, plan
from sandboxes.mercadolibre.sites import SELLER_SITES, SITES
from sandboxes.mercadolibre.steps import Step
from sandboxes.mercadolibre.world import World

ITEMS_PER_SELLER: Final = 12


def build_world(config: SandboxConfig) -> tuple[World, Engine]:
    config.validate()
    start = parse_instant(config.start)
    world = World(start)
    engine = Engine(world)
    buyers = max(8, min(3000, (config.orders + config.historical_orders) // 3))
    for number in range(config.sellers):
        global_selling = number >= config.sellers - config.global_sellers
        add_seller(world, config.seed, SELLER_SITES[number % len(SELLER_SITES)], buyers, global_selling)
    for number, seller_id in enumerate(list(world.sellers)):
        rng = random.Random(f"{config.seed}/{number}/history")
        engine.schedule(history_plans(world, rng, seller_id, config.historical_orders, config.history_days))
    engine.run_history(start)
    for number, seller_id in enumerate(list(world.sellers)):
        rng = random.Random(f"{config.seed}/{number}/live")
        engine.schedule(live_plans(world, rng, seller_id, config.orders, start))
    return world, engine


def add_seller(world: World, seed: int, site_id: str, buyers: int = 8, global_selling: bool = False) -> int:
    """A seller with a catalogue and a pool of buyers, drawn from the seller's own RNG. A Global Selling
    seller hears about its sales under the `marketplace_*` topics."""
    if site_id not in SITES:
        raise ValueError(f"unknown site {site_id}")
    number = len(world.sellers)
    rng = random.Random(f"{seed}/{number}/seller")
    seller = make_seller(world, rng, site_id, number + 1)
    seller.global_selling = global_selling
    make_items(world, rng, seller.id, ITEMS_PER_SELLER)
    for _ in range(buyers):
        make_buyer(world, rng, seller.id)
    return seller.id


def history_plans(world: World, rng: random.Random, seller_id: int, count: int, days: int) -> list[Step]:
    if count == 0:
        return []
    planner = Planner(world, rng, seller_id)
    first = world.start_ms - days * DAY
    last = world.start_ms - MAX_PLAN_MS
    times = sorted(rng.randint(first // SECOND, last // SECOND) * SECOND for _ in range(count))
    steps: list[Step] = []
    for t0 in times:
        steps.extend(plan(planner, next_scenario(planner), t0))
    return steps


def live_plans(world: World, rng: random.Random, seller_id: int, count: int, start: int) -> list[Step]:
    planner = Planner(world, rng, seller_id)
    steps: list[Step] = []
    t0 = start
    for _ in range(count):
        t0 = planner.later(t0, 1 * MINUTE, 20 * MINUTE)
        steps.extend(plan(planner, next_scenario(planner), t0))
    return steps
