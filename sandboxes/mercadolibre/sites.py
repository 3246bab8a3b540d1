"""The ML sites the sandbox simulates: currency, local UTC offset, marketplace domain and auth host.

Kept here (not imported from the connector) on purpose: the sandbox is the independent side of every
end-to-end check and must not share tables with the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True, slots=True)
class Site:
    site_id: str
    country_id: str
    country: str
    currency_id: str
    utc_offset_minutes: int
    domain: str
    min_price: Decimal
    max_price: Decimal
    cents: bool

    @property
    def auth_host(self) -> str:
        return f"auth.{self.domain}"

    @property
    def profile_host(self) -> str:
        return f"perfil.{self.domain}"


SITES: Final[dict[str, Site]] = {
    s.site_id: s
    for s in (
        Site("MLA", "AR", "Argentina", "ARS", -180, "mercadolibre.com.ar", Decimal(2500), Decimal(450000), False),
        Site("MLB", "BR", "Brasil", "BRL", -180, "mercadolivre.com.br", Decimal(19), Decimal(3500), True),
        Site("MLM", "MX", "Mexico", "MXN", -360, "mercadolibre.com.mx", Decimal(99), Decimal(25000), True),
        Site("MCO", "CO", "Colombia", "COP", -300, "mercadolibre.com.co", Decimal(19900), Decimal(3900000), False),
        Site("MLU", "UY", "Uruguay", "UYU", -180, "mercadolibre.com.uy", Decimal(290), Decimal(49000), False),
        Site("MLC", "CL", "Chile", "CLP", -240, "mercadolibre.cl", Decimal(2990), Decimal(890000), False),
    )
}

# Default order in which generated sellers are spread over the sites.
SELLER_SITES: Final[tuple[str, ...]] = ("MLA", "MLB", "MLM", "MCO", "MLU", "MLC")

GENERIC_AUTH_HOST: Final = "auth.mercadolibre.com"

# auth host -> site id (None for the generic host, which serves every site).
AUTH_HOSTS: Final[dict[str, str | None]] = {
    GENERIC_AUTH_HOST: None,
    **{s.auth_host: s.site_id for s in SITES.values()},
}
