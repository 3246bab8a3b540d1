"""A fake Hellotext API (profiles, properties, products, orders, events) with an oracle and fault injection."""

from sandboxes.hellotext.app import HELLOTEXT, create_hellotext_app
from sandboxes.hellotext.faults import Faults
from sandboxes.hellotext.state import Account, HellotextState

__all__ = ["HELLOTEXT", "Account", "Faults", "HellotextState", "create_hellotext_app"]
