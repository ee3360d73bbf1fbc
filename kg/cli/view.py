"""`kg view NAME`: an interactive HTML view of a node's neighbourhood, or of the whole graph."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..export.html import DEFAULT_EGO_MAX_NODES, DEFAULT_MAX_NODES
from ._common import out_dir_option

__all__ = ["default_output", "register", "view"]


def default_output(name: str | None) -> Path:
    """``view-<slug>.html`` in the current folder (``view-overview.html`` without a name).

    >>> default_output("Teacher Forcing (TF)").name
    'view-teacher-forcing-tf.html'
    """
    slug = re.sub(r"[^0-9a-z]+", "-", (name or "overview").casefold()).strip("-")[:60].strip("-")
    return Path(f"view-{slug or 'node'}.html")


@click.command()
@click.argument("name", required=False)
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 6),
              help="How many steps from NAME to include (over paper-entity and relation links).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write. [default: view-<name>.html in the current folder]")
@click.option("--max-nodes", type=click.IntRange(min=0), default=None,
              help="Draw at most this many nodes, nearest and most connected first; 0 for no cap. "
                   f"[default: {DEFAULT_EGO_MAX_NODES}, or {DEFAULT_MAX_NODES} for the overview]")
@click.option("--open", "open_browser", is_flag=True, help="Open the written file in a web browser.")
@out_dir_option
def view(name: str | None, hops: int, output: Path | None, max_nodes: int | None, open_browser: bool,
         directory: str) -> None:
    """Write an interactive HTML view of NAME and its neighbourhood.

    NAME is an entity label or alias, a paper title, or a node id. Without
    NAME, the overview of the whole graph. The file is self-contained and
    opens offline.
    """
    from ..query import load

    kg = load(directory)
    result = kg.view(name, hops=hops, max_nodes=max_nodes)
    out = output or default_output(name)
    result.save(out)
    left = f", {result.omitted_nodes:,} left out" if result.omitted_nodes else ""
    click.echo(f"wrote {out} ({result.nodes:,} nodes, {result.edges:,} links{left})")
    if open_browser:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())


def register(group: click.Group) -> None:
    """Add ``kg view`` to *group*."""
    group.add_command(view)
