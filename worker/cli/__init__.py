"""The `meli` command. Each subcommand builds its parts from Settings (the composition root) and exits
0 on success, 2 on a usage error and 1 on a runtime error, with a one-line message."""

from __future__ import annotations

import importlib.util

import click

from worker import __version__
from worker.cli import (
    backfill_cmd,
    connect_cmd,
    hellotext_cmds,
    map_cmd,
    run_cmds,
    security_cmds,
    store_cmds,
    support_cmd,
    webhook_cmds,
)
from worker.cli.common import CliState


class WholeSummaries(click.Group):
    """Lists each command with its whole first sentence, wrapped, instead of click's cut at the line's end."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=WholeSummaries, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="meli")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Read settings from this file instead of ./.env.")
@click.pass_context
def cli(ctx: click.Context, env_file: str | None) -> None:
    """meli-events: turn Mercado Libre seller activity into customer tracking events.

    Settings come from MELI_* environment variables or a .env file (see deploy/env.example).
    """
    ctx.obj = CliState(env_file)


for command in (
    *store_cmds.COMMANDS,
    *run_cmds.COMMANDS,
    *map_cmd.COMMANDS,
    *connect_cmd.COMMANDS,
    *support_cmd.COMMANDS,
    *backfill_cmd.COMMANDS,
    *security_cmds.COMMANDS,
    *hellotext_cmds.COMMANDS,
    *webhook_cmds.COMMANDS,
):
    cli.add_command(command)


def _add_sandbox_commands() -> None:
    """`meli sandbox` and `meli demo` exist where the sandboxes are installed (development and demos): the
    product's own install carries none of them."""
    if importlib.util.find_spec("sandboxes") is None:
        return
    from sandboxes.mercadolibre.cli import sandbox_command
    from worker.cli import demo_cmd

    cli.add_command(sandbox_command, name="sandbox")
    for command in demo_cmd.COMMANDS:
        cli.add_command(command)


_add_sandbox_commands()


def main() -> None:
    cli(prog_name="meli")
