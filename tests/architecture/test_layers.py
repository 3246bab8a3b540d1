"""Allowed import directions between the parts of the product (docs/architecture.md draws them).

Parts are `connectors`, `sandboxes`, `migrations`, every subpackage and top-level module of `worker`
(see graph.py). The rules:
- connectors (ML's words, the HTTP client) never imports worker, sandboxes or migrations;
- sandboxes (fakes of the outside world) import nothing of the product;
- worker.store imports neither worker.web nor worker.jobs;
- worker.backfill does not import worker.jobs (the jobs call the backfill, not the other way round);
- no two parts import each other, directly or round a loop.
"""

from __future__ import annotations

from collections.abc import Mapping

from tests.architecture.graph import Import, cycles, imports, part_edges, product_sources

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "connectors": ("worker", "sandboxes", "migrations"),
    "sandboxes": ("worker", "connectors", "migrations"),
    "worker.store": ("worker.web", "worker.jobs"),
    "worker.backfill": ("worker.jobs",),
}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(found: list[Import]) -> list[str]:
    """Imports that break a rule of FORBIDDEN, as 'module:line imports target'."""
    broken: list[str] = []
    for item in found:
        for source, targets in FORBIDDEN.items():
            if _within(item.module, source) and any(_within(item.target, target) for target in targets):
                broken.append(f"{item.module}:{item.line} imports {item.target}")
    return sorted(broken)


def part_cycles(found: list[Import]) -> list[list[str]]:
    edges = part_edges(found)
    return sorted(cycles({source: set(targets) for source, targets in edges.items()}))


def _explain(found: list[Import], loop: list[str]) -> list[str]:
    edges = part_edges(found)
    return [
        f"{item.module}:{item.line} imports {item.target}"
        for source in loop
        for target, items in edges[source].items()
        if target in loop
        for item in items
    ]


def test_the_product_keeps_the_allowed_directions() -> None:
    assert violations(imports(product_sources())) == []


def test_no_cycle_between_parts() -> None:
    found = imports(product_sources())
    assert [(loop, _explain(found, loop)) for loop in part_cycles(found)] == []


def test_the_graph_sees_every_part() -> None:
    """Guards the reader: if it missed imports, the rules above would pass on nothing."""
    edges = part_edges(imports(product_sources()))
    assert {"worker.store", "connectors"} <= set(edges["worker.pipeline"])
    assert "worker.store" in edges["migrations"]
    assert "worker.redis_keys" in edges["worker.store"]  # `from worker import redis_keys`


SYNTHETIC: Mapping[str, str] = {
    "connectors": "",
    "connectors.http": "from worker.store import db\n",
    "sandboxes": "",
    "sandboxes.fake": "import connectors.http\n",
    "worker": "",
    "worker.store": "",
    "worker.store.db": "from ..web import app\n",
    "worker.web": "",
    "worker.web.app": "from worker.store import db\n",
    "worker.backfill": "",
    "worker.backfill.lane": "def later() -> None:\n    from worker.jobs.deps import job_deps\n",
    "worker.jobs": "",
    "worker.jobs.deps": "from worker import backfill\n",
}


def test_the_rules_catch_bad_imports() -> None:
    """The checks can fail: a made-up tree with one import of each forbidden kind."""
    assert violations(imports(SYNTHETIC)) == [
        "connectors.http:1 imports worker.store.db",
        "sandboxes.fake:1 imports connectors.http",
        "worker.backfill.lane:2 imports worker.jobs.deps",
        "worker.store.db:1 imports worker.web.app",
    ]
    assert part_cycles(imports(SYNTHETIC)) == [
        ["worker.backfill", "worker.jobs"],
        ["worker.store", "worker.web"],
    ]
