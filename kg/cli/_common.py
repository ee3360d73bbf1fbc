"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from .._table import format_table

__all__ = ["echo_json", "input_options", "out_dir_option", "print_table", "printable"]

# C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidi overrides, ...)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """*text* with control characters shown as escapes, so data never drives the terminal.

    >>> print(printable("Evil\\x1b[2J title\\x08"))
    Evil\\x1b[2J title\\x08
    """
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


def input_options(f):
    """--format, --skip-invalid."""
    f = click.option("--skip-invalid", is_flag=True,
                     help="Skip records that cannot be read (each is reported, with a count at the end) "
                          "instead of stopping at the first.")(f)
    f = click.option("--format", "fmt", type=click.Choice(["dump", "jsonl", "json", "csv", "bibtex"]),
                     help="Read every input in this format instead of choosing by file extension.")(f)
    return f


def out_dir_option(f):
    return click.option("--dir", "-d", "directory", default="exports", show_default=True,
                        type=click.Path(file_okay=True, dir_okay=True),
                        help="The folder `kg build` wrote (or its graph.json).")(f)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print rows as an aligned plain-text table (strings are shown as data, one line each)."""
    if not rows:
        click.echo("(no results)")
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    click.echo(format_table(columns, cells, max_width=60, sep="  ", rule_sep="  "), nl=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return printable(" ".join(str(value).split()))


def warn(message: str) -> None:
    click.echo(f"kg: warning: {printable(message)}", err=True)


def is_tty() -> bool:
    return sys.stderr.isatty()
