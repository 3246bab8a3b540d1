"""arq is reached through its public API; what is not public lives in one adapter module.

The adapter is worker/pipeline/queue.py (job names, job ids, queueing, the job encoding, whether a job is
pending). Elsewhere in the product no module may:
- import arq's key prefixes (`arq.constants`), helpers (`arq.utils`), its job encoding
  (`arq.jobs.serialize` / `deserialize`) or any `_` name of arq;
- spell one of arq's Redis keys (`arq:job:`, `arq:in-progress:`, `arq:result:`, `arq:retry:`, `arq:queue`);
- read a `_` attribute of another object (the types are not known statically, so this holds for every object
  but `self` and `cls`);
- send a Redis command to the queue's own key, arq's sorted set named by the queue name (`queue_depth` and
  `queued_work` in the adapter read it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from tests.architecture.graph import product_sources, scan

ADAPTER = "worker.pipeline.queue"
PRIVATE_MODULES = ("arq.constants", "arq.utils")
PRIVATE_NAMES = {"serialize", "deserialize"}
QUEUE_NAMES = {"queue", "queue_name", "default_queue_name"}
REDIS_COMMANDS = {
    "zadd", "zcard", "zcount", "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zscore", "zrank",
    "zrem", "zremrangebyscore", "zpopmin", "zpopmax", "bzpopmin", "type", "exists", "delete", "unlink", "expire",
    "ttl", "rename", "get", "set",
}  # fmt: skip
ARQ_KEY = re.compile(r"arq:(job|in-progress|result|retry|queue|health-check|abort)")


def _import_problems(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [f"imports {a.name}" for a in node.names if a.name.startswith(PRIVATE_MODULES)]
    if not isinstance(node, ast.ImportFrom) or not (node.module or "").split(".")[0] == "arq":
        return []
    module = node.module or ""
    if module.startswith(PRIVATE_MODULES):
        return [f"imports from {module}"]
    return [f"imports {module}.{a.name}" for a in node.names if a.name in PRIVATE_NAMES or a.name.startswith("_")]


def _names_the_queue(node: ast.expr) -> bool:
    """`queue`, `queue_name`, `x.queue_name`, `redis.default_queue_name`: the queue's own key."""
    if isinstance(node, ast.Name):
        return node.id in QUEUE_NAMES
    return isinstance(node, ast.Attribute) and node.attr in QUEUE_NAMES


def _queue_key_problems(node: ast.AST) -> list[str]:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return []
    if node.func.attr in REDIS_COMMANDS and node.args and _names_the_queue(node.args[0]):
        return [f"reads the queue key with {node.func.attr}"]
    return []


def _node_problems(node: ast.AST) -> list[str]:
    if found := _queue_key_problems(node):
        return found
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and ARQ_KEY.search(node.value):
        return [f"spells arq key {ARQ_KEY.search(node.value)!r}"]
    if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
        owner = node.value.id if isinstance(node.value, ast.Name) else None
        if owner not in ("self", "cls"):
            return [f"reads private attribute .{node.attr}"]
    return _import_problems(node)


def arq_problems(sources: Mapping[str, str]) -> list[str]:
    """'module:line what' for every use of arq internals outside the adapter."""
    return scan(sources, _node_problems, lambda module: module == ADAPTER)


def test_only_the_adapter_touches_arq_internals() -> None:
    assert arq_problems(product_sources()) == []


def test_the_adapter_exists_and_uses_arq() -> None:
    source = product_sources()[ADAPTER]
    assert "from arq" in source


def test_the_check_catches_internals() -> None:
    """The check can fail: a made-up module with one use of each kind."""
    sources = {
        "worker.jobs.bad": (
            "from arq.constants import job_key_prefix\n"
            "from arq.jobs import Job, deserialize\n"
            "import arq.utils\n"
            "KEY = 'arq:in-progress:' + 'x'\n"
            "def f(job: Job) -> object:\n"
            "    return job._redis\n"
            "async def g(redis: Any, queue: str) -> object:\n"
            "    return await redis.zcard(queue), await redis.zrange(redis.default_queue_name, 0, -1)\n"
            "async def h(redis: Any, queue: str) -> object:\n"
            "    return await redis.zcard(keys.lanes(queue)), redis_keys.heartbeat(queue)\n"
        ),
        ADAPTER: "from arq.jobs import serialize\nKEY = 'arq:job:'\n",
    }
    assert [problem.split(" ", 1)[0] for problem in arq_problems(sources)] == [
        "worker.jobs.bad:1",
        "worker.jobs.bad:2",
        "worker.jobs.bad:3",
        "worker.jobs.bad:4",
        "worker.jobs.bad:6",
        "worker.jobs.bad:8",
        "worker.jobs.bad:8",
    ]
