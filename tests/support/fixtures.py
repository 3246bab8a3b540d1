"""Scenario fixtures of the support tests: one file per scenario, holding stored ML documents as the store
keeps them (`kind`, `ref`, `raw`) and the exact expected output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.mercadolibre.mapping import MappingOptions
from connectors.mercadolibre.payloads import load_json
from worker.support.documents import StoredDocument

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_json((FIXTURES / f"{name}.json").read_bytes())
    return data


def stored_documents(data: dict[str, Any]) -> list[StoredDocument]:
    return [StoredDocument(doc["kind"], doc["ref"], doc["raw"]) for doc in data["documents"]]


def options(data: dict[str, Any]) -> MappingOptions:
    return MappingOptions(**data["options"])
