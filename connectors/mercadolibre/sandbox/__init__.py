"""An offline Mercado Libre: OAuth, REST API, notifications, faults and an event oracle, for demos and tests.

Nothing here imports the worker or the connector's mapping: the sandbox is the independent side of every
end-to-end check. Build one with `create_sandbox_app(SandboxConfig(...))`; run one with `meli sandbox`.
"""

from connectors.mercadolibre.sandbox.app import create_sandbox_app
from connectors.mercadolibre.sandbox.config import Faults, SandboxConfig, parse_rate
from connectors.mercadolibre.sandbox.engine import Applied, Engine
from connectors.mercadolibre.sandbox.facts import Fact, FactKind
from connectors.mercadolibre.sandbox.oracle import expected_events
from connectors.mercadolibre.sandbox.state import SANDBOX, Sandbox
from connectors.mercadolibre.sandbox.world import Note, World

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
