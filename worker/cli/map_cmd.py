"""`meli map FILE...`: a dry run of the mapping over saved ML documents. No database, no network."""

from __future__ import annotations

from pathlib import Path

import click

from connectors.errors import InvalidRecord
from connectors.mercadolibre.constants import Kind
from connectors.mercadolibre.mapping import MappingOptions, map_documents
from connectors.mercadolibre.payloads import Document, load_json, parse_document
from worker.cli.common import echo_json, fail


def _read(path: Path, kind: str | None) -> Document:
    try:
        raw = load_json(path.read_bytes())
    except OSError as exc:
        fail(f"{path}: {exc.strerror}")
    except ValueError as exc:
        fail(f"{path}: not valid JSON ({exc})")
    try:
        return parse_document(raw, kind)
    except InvalidRecord as exc:
        fail(f"{path}: not a recognised ML document ({exc})")
    raise AssertionError("unreachable")


@click.command("map")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", type=click.Choice([kind.value for kind in Kind]), help="Force the document kind of every FILE.")
@click.option("--delivered/--no-delivered", default=False, help="Also produce order.delivered (opt-in extra).")
@click.option("--products/--no-products", default=False, help="Also produce product.purchased per order item.")
def map_command(files: tuple[Path, ...], kind: str | None, delivered: bool, products: bool) -> None:
    """Map saved ML documents (order, shipment, shipment history, payment, claim, claims search page) to events,
    as JSON lines.

    Related documents that are not given count as unknown: they suppress only the events that need them.
    """
    documents = [_read(path, kind) for path in files]
    options = MappingOptions(include_delivered=delivered, include_product_purchased=products)
    result = map_documents(documents, options)
    for event in result.events:
        echo_json(event)
    for problem in result.problems:
        click.echo(f"note: {problem}", err=True)


COMMANDS: tuple[click.Command, ...] = (map_command,)
