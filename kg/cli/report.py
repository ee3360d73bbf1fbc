"""`kg report`: a summary of a build for a reader, as one offline HTML page or Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import out_dir_option

__all__ = ["register", "report"]


@click.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True,
              help="An offline HTML page with inline SVG charts, or Markdown.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write. [default: report.html or report.md beside graph.json]")
@click.option("--title", default="kg report", show_default=True, help="Heading of the report (plain text).")
@out_dir_option
def report(fmt: str, output: Path | None, title: str, directory: str) -> None:
    """Summarise a built graph: counts, top methods, datasets, tasks and metrics with their papers,
    communities, what the papers propose, and trends where papers have years."""
    from ..export.json import read_graph
    from ..export.report import REPORT_FORMATS, write_report
    from ..paths import export_paths

    file = export_paths(directory).require_graph()
    out = write_report(read_graph(file), output or file.with_name(REPORT_FORMATS[fmt]), format=fmt, title=title)
    click.echo(f"wrote {out}")


def register(group: click.Group) -> None:
    """Add ``kg report`` to *group*."""
    group.add_command(report)
