"""meli-events: Mercado Libre seller activity as customer tracking events."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("meli-events")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
