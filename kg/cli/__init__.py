"""The ``kg`` command: a thin shell over the library.

Each command module defines ``register(group)``. Library errors
(:class:`~kg.errors.KGError`) become one line on stderr and the error's exit
code; nothing prints a traceback for bad input.
"""

from __future__ import annotations

import importlib
import sys

import click

from ..errors import KGError
from ._common import printable

__all__ = ["cli", "main"]

#: Command modules, in the order their commands are listed.
COMMAND_MODULES = ("build", "query", "rdf", "serve", "view", "report", "train")


class KGGroup(click.Group):
    """A click group that turns KGError into a clean message and exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as err:
            click.echo(f"kg: error: {printable(str(err))}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:  # `kg extract ... | head`
            sys.stderr.close()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            ctx.exit(130)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kg", prog_name="kg")
def cli() -> None:
    """Turn paper titles and abstracts into a knowledge graph.

    \b
    kg build seeds/ -o exports/          extract, link and export the graph
    kg query neighbors "ImageNet"        explore it
    kg extract papers.jsonl              entities per paper as JSON Lines
    """


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(cli)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="kg")
