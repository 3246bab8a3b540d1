"""The import graph of the product's code, read with `ast` (nothing is imported or run).

A module belongs to a *part*: `connectors`, `sandboxes`, `migrations`, each subpackage of `worker`
(`worker.store`, `worker.pipeline`, ...) and each top-level module of `worker` (`worker.settings`,
`worker.tokens`, ...). The checks in test_layers.py speak about parts.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("worker", "connectors", "sandboxes", "migrations")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. worker.pipeline.drain
    target: str  # the imported module, e.g. worker.store.db
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_sources(root: Path = ROOT) -> dict[str, str]:
    """Module name → source text of every module of the product."""
    sources: dict[str, str] = {}
    for top in PRODUCT:
        for path in sorted((root / top).rglob("*.py")):
            sources[module_name(path, root)] = path.read_text(encoding="utf-8")
    return sources


def _package(module: str, sources: Mapping[str, str]) -> list[str]:
    """The package a module's relative imports start from."""
    parts = module.split(".")
    is_package = any(name.startswith(module + ".") for name in sources)
    return parts if is_package else parts[:-1]


def _targets(module: str, node: ast.AST, sources: Mapping[str, str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = _package(module, sources)
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join([*base, *([node.module] if node.module else [])])
    else:
        origin = node.module or ""
    # `from worker import redis_keys` imports the module worker.redis_keys, not the package worker
    return [f"{origin}.{a.name}" if f"{origin}.{a.name}" in sources else origin for a in node.names]


def imports(sources: Mapping[str, str]) -> list[Import]:
    """Every import of a product module by a product module (also those inside functions or TYPE_CHECKING)."""
    found: list[Import] = []
    for module, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            for target in _targets(module, node, sources):
                if target.split(".")[0] in PRODUCT:
                    found.append(Import(module, target, getattr(node, "lineno", 0)))
    return found


def scan(sources: Mapping[str, str], check: Callable[[ast.AST], list[str]], skip: Callable[[str], bool]) -> list[str]:
    """'module:line problem' for every problem `check` finds in a node of a module that `skip` does not skip."""
    found: list[str] = []
    for module, source in sources.items():
        if skip(module):
            continue
        for node in ast.walk(ast.parse(source)):
            found.extend(f"{module}:{getattr(node, 'lineno', 0)} {problem}" for problem in check(node))
    return sorted(found)


def part(module: str) -> str:
    """worker.store.db → worker.store; worker.tokens → worker.tokens; connectors.http → connectors."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "worker" else parts[0]


def part_edges(found: Iterable[Import]) -> dict[str, dict[str, list[Import]]]:
    """Importing part → imported part → the imports behind that edge (edges inside a part are left out)."""
    edges: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for item in found:
        source, target = part(item.module), part(item.target)
        if source != target:
            edges[source][target].append(item)
    return edges


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of more than one part (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
