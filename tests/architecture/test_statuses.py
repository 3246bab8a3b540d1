"""Statuses are spelled through their enums (worker/store/models.py, backfill_models.py, delivery_models.py).

Read with `ast`: in `worker`, no string literal that is a value of one of those enums is compared with, tested
for membership in, or assigned to a status (`x.status`, `status`, `x["status"]`, `col(X.status)`): not in
`==`/`!=`/`in`, not in `.in_(...)`, not as a `status=` keyword, not as the value of a `"status"` dict key.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from tests.architecture.graph import product_sources, scan
from worker.store.delivery_models import DeliveryStatus, HellotextStatus
from worker.store.models import AccountStatus, BackfillStatus, InboxStatus, WindowStatus

STATUS_VALUES = {
    member.value
    for enum in (AccountStatus, InboxStatus, BackfillStatus, WindowStatus, DeliveryStatus, HellotextStatus)
    for member in enum
}
# Statuses of Mercado Libre's documents (a shipment's "delivered"), which are ML's words and no column of ours.
ML_STATUSES = {"worker.support.absence"}


def _is_status(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "status"
    if isinstance(node, ast.Attribute):
        return node.attr == "status"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "status"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "col":
        return len(node.args) == 1 and _is_status(node.args[0])
    return False


def _literals(node: ast.expr) -> list[str]:
    """The status values a literal spells: "done", ("queued", "running"), "done" if x else "pending"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value in STATUS_VALUES else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [value for item in node.elts for value in _literals(item)]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _spelled(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        if any(_is_status(side) for side in sides):
            return [value for side in sides for value in _literals(side)]
    if isinstance(node, ast.Call):
        found = [value for kw in node.keywords if kw.arg == "status" for value in _literals(kw.value)]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "in_" and _is_status(node.func.value):
            found += [value for arg in node.args for value in _literals(arg)]
        return found
    if isinstance(node, ast.Dict):
        return [
            value
            for key, item in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "status"
            for value in _literals(item)
        ]
    return []


def bare_statuses(sources: Mapping[str, str]) -> list[str]:
    """'module:line "value"' for every status literal spelled against a status."""
    return scan(
        sources,
        lambda node: [f'"{value}"' for value in _spelled(node)],
        lambda module: not module.startswith("worker.") or module in ML_STATUSES,
    )


def test_statuses_are_spelled_through_their_enums() -> None:
    assert bare_statuses(product_sources()) == []


def test_the_check_catches_bare_statuses() -> None:
    """The check can fail: a made-up module with one bare status of each kind, and uses that are fine."""
    source = (
        "def f(run, rows, x):\n"
        "    a = run.status == 'queued'\n"
        "    b = run['status'] in ('queued', 'running')\n"
        "    c = select(X).where(col(X.status).in_(['pending']))\n"
        "    d = update(X).values(status='split')\n"
        "    e = {'status': 'done' if x else 'pending'}\n"
        "    ok = run.status == Status.DONE, run.kind == 'done', run.status == 'unheard-of', {'state': 'done'}\n"
    )
    assert bare_statuses({"worker.jobs.bad": source, "connectors.ml": source}) == [
        'worker.jobs.bad:2 "queued"',
        'worker.jobs.bad:3 "queued"',
        'worker.jobs.bad:3 "running"',
        'worker.jobs.bad:4 "pending"',
        'worker.jobs.bad:5 "split"',
        'worker.jobs.bad:6 "done"',
        'worker.jobs.bad:6 "pending"',
    ]
