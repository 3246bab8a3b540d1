"""An offline Mercado Libre: OAuth, REST API, notifications, faults and an event oracle, for demos and tests.

Nothing here imports the worker or the connector's mapping: the sandbox is the independent side of every
end-to-end check. Build one with `create_sandbox_app(SandboxConfig(...))`; run one with `meli sandbox`.
"""

from sandboxes.mercadolibre.app import create_sandbox_app
from sandboxes.mercadolibre.config import Faults, SandboxConfig, parse_rate
from sandboxes.mercadolibre.engine import Applied, Engine
from sandboxes.mercadolibre.facts import Fact, FactKind
from sandboxes.mercadolibre.oracle import expected_events
from sandboxes.mercadolibre.state import SANDBOX, Sandbox
from sandboxes.mercadolibre.world import Note, World

__all__ = [
    "SANDBOX",
    "Applied",
    "Engine",
    "Fact",
    "FactKind",
    "Faults",
    "Note",
    "Sandbox",
    "SandboxConfig",
    "World",
    "create_sandbox_app",
    "expected_events",
    "parse_rate",
]
