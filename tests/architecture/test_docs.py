"""docs/architecture.md stays true: every file it names exists, every arrow of its picture is a real import."""

from __future__ import annotations

import re

from tests.architecture.graph import ROOT, imports, part_edges, product_sources

DOC = ROOT / "docs" / "architecture.md"
NODES = {
    "cli": {"worker.cli"},
    "demo": {"worker.demo"},
    "web": {"worker.web"},
    "jobs": {"worker.jobs"},
    "backfill": {"worker.backfill"},
    "support": {"worker.support"},
    "connect": {"worker.connect"},
    "context": {"worker.context"},
    "tokens": {"worker.tokens"},
    "pipeline": {"worker.pipeline"},
    "store": {"worker.store"},
    "base": {"worker.settings", "worker.redis_keys", "worker.logs", "worker.metrics", "worker.clock", "worker.errors"},
    "connectors": {"connectors"},
    "migrations": {"migrations"},
    "sandboxes": {"sandboxes"},
}


def test_every_file_named_exists() -> None:
    named = set(
        re.findall(r"`((?:worker|connectors|sandboxes|migrations|tests|docs)/[\w/.]+\.(?:py|md))`", DOC.read_text())
    )
    assert len(named) > 30
    assert sorted(path for path in named if not (ROOT / path).is_file()) == []


def test_every_arrow_is_a_real_import() -> None:
    edges = part_edges(imports(product_sources()))
    arrows = [
        (source, target)
        for source, targets in re.findall(r"^\s+(\w+) --> ([\w &]+)$", DOC.read_text(), flags=re.MULTILINE)
        for target in targets.split(" & ")
    ]
    assert len(arrows) > 20
    missing = [
        (source, target)
        for source, target in arrows
        if not any(t in edges[s] for s in NODES[source] for t in NODES[target])
    ]
    assert missing == []
