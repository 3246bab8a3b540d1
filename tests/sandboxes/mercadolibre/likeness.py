"""Shapes of JSON documents, to compare the sandbox's with the real ones in tests/fixtures/mercadolibre/.

A shape maps each key path (`a.b`, list elements as `a[]`, a root list as `[]`) to the JSON types seen
there: null, bool, number (int or float: ML writes `50` and `15999.0` alike), string, list, object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mercadolibre"
Shape = dict[str, set[str]]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def shape_of(documents: Iterable[Any]) -> Shape:
    shape: Shape = {}

    def walk(value: Any, path: str) -> None:
        shape.setdefault(path, set()).add(json_type(value))
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{path}[]")

    for document in documents:
        walk(document, "")
    return shape


def corpus_documents(files: Iterable[str], flatten: bool = False) -> list[Any]:
    """The corpus files' documents; `flatten`: a file holding a list of documents counts as its elements
    (`GET /orders/{id}/shipments?list_all=true` lists shipments)."""
    documents: list[Any] = []
    for name in files:
        document = json.loads((FIXTURES / name).read_text())
        documents.extend(document if flatten and isinstance(document, list) else [document])
    return documents


def parent(path: str) -> str:
    if path.endswith("[]"):
        return path[:-2]
    return path.rsplit(".", 1)[0] if "." in path else ""


@dataclass
class Comparison:
    """What a set of sandbox documents lacks (`missing`), adds (`extra`), renders null where the corpus never
    does (`nullable`), or renders with another type (`mismatched`, path -> sandbox types)."""

    missing: set[str] = field(default_factory=set)
    extra: set[str] = field(default_factory=set)
    nullable: set[str] = field(default_factory=set)
    mismatched: dict[str, set[str]] = field(default_factory=dict)


def _unknown_below(corpus: Shape, path: str) -> bool:
    """The corpus only ever shows null (or an empty list) above `path`: it says nothing about what is inside."""
    node = parent(path)
    while node:
        if node in corpus and corpus[node] == {"null"}:
            return True
        node = parent(node)
    return False


def _check_document(corpus: Shape, document: Any, result: Comparison) -> None:
    for path, types in shape_of([document]).items():
        if not path or _unknown_below(corpus, path):
            continue
        if path not in corpus:
            if parent(path) in corpus:
                result.extra.add(path)
            continue
        allowed = corpus[path]
        if allowed == {"null"}:
            continue
        if "null" in types and "null" not in allowed:
            result.nullable.add(path)
        wrong = types - allowed - {"null"}
        if wrong:
            result.mismatched[path] = wrong


def compare(corpus: Shape, sandbox_docs: list[Any]) -> Comparison:
    """Each sandbox document's types against the corpus; keys missing from all of them (the top-most only)."""
    result = Comparison()
    for document in sandbox_docs:
        _check_document(corpus, document, result)
    union = shape_of(sandbox_docs)
    for path in corpus:
        top = parent(path) in union or not parent(path)
        if path and path not in union and top and not _unknown_below(corpus, path):
            result.missing.add(path)
    return result
