"""One composition root per process: only the roots read `Settings`; every part below them receives plain values.

The roots, listed here on purpose (a new one is a decision, not an accident):
- worker/settings.py defines the settings;
- worker/cli/ (each `meli` command is a process), worker/context.py (the shared parts and the values both
  processes hand down);
- the web process: worker/web/app.py (`create_app`, `web_options`);
- the worker process: worker/jobs/runtime.py (`build_worker`) and worker/jobs/deps.py (`build_deps`);
- the demo process, web and worker in one: worker/demo/world.py and worker/demo/run.py.

Read with `ast`: no other module of the product imports `Settings` (or the module `worker.settings` whole) or
reads an attribute named `settings` (as in `context.settings.queue_name`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from tests.architecture.graph import product_sources, scan

ROOTS = {
    "worker.settings",
    "worker.context",
    "worker.web.app",
    "worker.jobs.runtime",
    "worker.jobs.deps",
    "worker.demo.world",
    "worker.demo.run",
}
ROOT_PACKAGES = ("worker.cli",)


def is_root(module: str) -> bool:
    return module in ROOTS or any(module == p or module.startswith(p + ".") for p in ROOT_PACKAGES)


def _settings_uses(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module == "worker.settings":
        return [f"imports {a.name}" for a in node.names if a.name == "Settings" or a.name == "*"]
    if isinstance(node, ast.ImportFrom) and node.module == "worker":
        return [f"imports worker.{a.name}" for a in node.names if a.name == "settings"]
    if isinstance(node, ast.Import):
        return [f"imports {a.name}" for a in node.names if a.name == "worker.settings"]
    if isinstance(node, ast.Attribute) and node.attr == "settings" and isinstance(node.ctx, ast.Load):
        return ["reads .settings"]
    return []


def settings_below_roots(sources: Mapping[str, str]) -> list[str]:
    """'module:line what' for every use of the settings outside the composition roots."""
    return scan(sources, _settings_uses, is_root)


def test_only_the_composition_roots_read_settings() -> None:
    assert settings_below_roots(product_sources()) == []


def test_every_root_listed_exists_and_reads_settings() -> None:
    sources = product_sources()

    assert sorted(root for root in ROOTS if root not in sources) == []
    assert sorted(root for root in ROOTS if "Settings" not in sources[root] and ".settings" not in sources[root]) == []


def test_the_check_catches_settings_below_a_root() -> None:
    """The check can fail: made-up modules with one use of each kind, and a root and a value import that pass."""
    sources = {
        "worker.jobs.bad": (
            "from worker.settings import Network, Settings\n"
            "import worker.settings\n"
            "from worker import settings\n"
            "def f(context):\n"
            "    return context.settings.queue_name\n"
        ),
        "connectors.bad": "from worker.settings import *\n",
        "worker.web.fine": "from worker.settings import Network\n",
        "worker.web.app": "from worker.settings import Settings\ndef f(context):\n    return context.settings\n",
        "worker.cli.run": "from worker.settings import Settings\n",
    }
    assert settings_below_roots(sources) == [
        "connectors.bad:1 imports *",
        "worker.jobs.bad:1 imports Settings",
        "worker.jobs.bad:2 imports worker.settings",
        "worker.jobs.bad:3 imports worker.settings",
        "worker.jobs.bad:5 reads .settings",
    ]
