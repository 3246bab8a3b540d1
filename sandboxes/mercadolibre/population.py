"""People and things: sellers, buyers and items, drawn from a seeded `random.Random`.

Buyers' personal data is partial on purpose (as in real ML): every buyer has a nickname, most have
names, only some have an email or a phone.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Final

from sandboxes.mercadolibre.clock import DAY
from sandboxes.mercadolibre.model import Item, User
from sandboxes.mercadolibre.sites import SITES, Site
from sandboxes.mercadolibre.world import World

FIRST_NAMES: Final = (
    "Ana", "Lucía", "Martín", "Sofía", "Mateo", "Valentina", "Joaquín", "Camila", "Diego", "Florencia",
    "João", "Mariana", "Pedro", "Beatriz", "Rafael", "Juliana", "Santiago", "Renata", "Tomás", "Isabel",
)  # fmt: skip
LAST_NAMES: Final = (
    "Pérez", "González", "Rodríguez", "Fernández", "López", "Martínez", "García", "Silva", "Souza",
    "Oliveira", "Costa", "Hernández", "Ramírez", "Torres", "Díaz", "Castro", "Morales", "Suárez",
)  # fmt: skip
PRODUCTS: Final = (
    "Auriculares inalámbricos", "Mochila urbana", "Zapatillas running", "Termo de acero", "Lámpara LED",
    "Teclado mecánico", "Cafetera espresso", "Reloj deportivo", "Parlante bluetooth", "Campera impermeable",
    "Set de sartenes", "Mouse ergonómico", "Cargador rápido", "Silla gamer", "Bicicleta fija",
)  # fmt: skip
VARIANTS: Final = ("Negro", "Blanco", "Azul", "Rojo", "Gris", "Verde", "XL", "M", "Pro", "Mini")
SHOP_WORDS: Final = ("TIENDA", "SHOP", "OUTLET", "MEGASTORE", "BAZAR", "EMPORIO")


def random_price(rng: random.Random, site: Site) -> Decimal:
    """A plausible shelf price: cents on BRL/MXN sites, round hundreds elsewhere."""
    low, high = int(site.min_price), int(site.max_price)
    if site.cents:
        return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2).quantize(Decimal("0.01"))
    step = 100 if high > 100_000 else 10
    return Decimal(rng.randint(low // step, high // step) * step).quantize(Decimal("0.01"))


def make_seller(world: World, rng: random.Random, site_id: str, number: int) -> User:
    seller_id = world.ids.next("seller")
    site = SITES[site_id]
    nickname = f"{rng.choice(SHOP_WORDS)}{site.site_id}{number:02d}"
    seller = User(
        id=seller_id,
        nickname=nickname,
        site_id=site.site_id,
        registration_ms=world.start_ms - rng.randint(800, 3000) * DAY,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        email=f"test_user_{seller_id}@testuser.com",
        phone=f"{rng.randint(10, 99)} {rng.randint(4000, 9999)}-{rng.randint(1000, 9999)}",
        login=f"test_user_{seller_id}@testuser.com",
        is_seller=True,
    )
    world.add_seller(seller)
    return seller


def make_buyer(world: World, rng: random.Random, seller_id: int) -> User:
    buyer_id = world.ids.next("buyer")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    named = rng.random() < 0.7
    buyer = User(
        id=buyer_id,
        nickname=f"{_ascii(first)[:4].upper()}{_ascii(last)[:4].upper()}{buyer_id % 100000}",
        site_id=world.users[seller_id].site_id,
        registration_ms=world.start_ms - rng.randint(30, 4000) * DAY,
        first_name=first if named else None,
        last_name=last if named else None,
        email=f"{_ascii(first).lower()}.{buyer_id % 10000}@example.com" if rng.random() < 0.3 else None,
        phone=f"11 {rng.randint(4000, 9999)}-{rng.randint(1000, 9999)}" if rng.random() < 0.2 else None,
    )
    world.users[buyer.id] = buyer
    world.buyers[seller_id].append(buyer.id)
    return buyer


def make_items(world: World, rng: random.Random, seller_id: int, count: int) -> list[Item]:
    site = world.site_of(seller_id)
    items = []
    for _ in range(count):
        number = world.ids.next("item")
        title = f"{rng.choice(PRODUCTS)} {rng.choice(VARIANTS)}"
        variation = 180_000_000_000 + number % 1_000_000 if rng.random() < 0.4 else None
        sku = f"SKU-{number % 100000:05d}"
        items.append(Item(f"{site.site_id}{number}", title, random_price(rng, site), sku, variation))
    world.items[seller_id].extend(items)
    return items


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúãõçñÁÉÍÓÚÃÕÇÑ", "aeiouaocnAEIOUAOCN")
    return text.translate(table)
