"""Offline stand-ins for the services meli-events talks to, for the demo, the tests and the benchmarks.

A separate distribution (`meli-sandboxes`, `sandboxes/pyproject.toml`): `make` installs it next to the product
for development and demos; the product's wheel and Docker image carry none of it. Nothing here imports the
product (`worker`, `connectors`): a sandbox follows the public documentation of the service it imitates, and
its oracle follows its own history.
"""
