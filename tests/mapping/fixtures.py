"""Loading the scenario fixtures: each file holds the ML documents and the full expected output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.mercadolibre.mapping import MappingOptions
from connectors.mercadolibre.payloads import load_json

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_json((FIXTURES / f"{name}.json").read_bytes())
    return data


def options(data: dict[str, Any]) -> MappingOptions:
    return MappingOptions(**data["options"])
