"""`python -m sandboxes.hellotext --port 8098 --token TOKEN`: the fake Hellotext on its own."""

from __future__ import annotations

import click
from aiohttp import web

from sandboxes.hellotext import HellotextState, create_hellotext_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8098, show_default=True)
@click.option("--token", "tokens", multiple=True, help="A private token to accept (one Hellotext business each).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the ids it returns.")
def main(host: str, port: int, tokens: tuple[str, ...], seed: int) -> None:
    """Serve the fake Hellotext (API under /v1, control and oracle under /_sandbox)."""
    state = HellotextState(seed=seed)
    for position, token in enumerate(tokens, start=1):
        state.add_account(token, f"business {position}")
    web.run_app(create_hellotext_app(state), host=host, port=port, print=click.echo)


if __name__ == "__main__":
    main()
