"""`kg query ...`: the query API on the command line."""

from __future__ import annotations

import click

from ..types import ENTITY_TYPES
from ._common import echo_json, out_dir_option, print_table

_TYPES = click.Choice(list(ENTITY_TYPES) + ["paper"])


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def _load(directory):
    from ..query import load

    return load(directory)


def _show(hits, as_json, columns):
    rows = [h.to_dict() for h in hits]
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, columns)


@click.group()
def query() -> None:
    """Ask a built graph about neighbours, papers, evidence and related entities."""


@query.command()
@click.argument("name")
@click.option("--type", "type_", type=_TYPES, help="Only neighbours of this type.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(1, 5), help="How many steps away.")
@click.option("--limit", type=click.IntRange(1), help="List at most this many (strongest links first).")
@out_dir_option
@_json_option
def neighbors(name, type_, hops, limit, directory, as_json):
    """Nodes linked to NAME (an entity label or alias, a paper title, or an id), nearest and most
    strongly linked first."""
    _show(_load(directory).neighbors(name, type=type_, hops=hops, limit=limit), as_json,
          ["label", "kind", "type", "hops", "score", "id"])


@query.command()
@click.argument("entity")
@out_dir_option
@_json_option
def papers(entity, directory, as_json):
    """Papers that mention ENTITY, those that propose it first."""
    _show(_load(directory).papers(entity), as_json, ["label", "role", "score", "id"])


@query.command()
@click.argument("paper")
@click.option("--type", "type_", type=click.Choice(list(ENTITY_TYPES)), help="Only entities of this type.")
@out_dir_option
@_json_option
def entities(paper, type_, directory, as_json):
    """Entities of PAPER (a title or paper id)."""
    _show(_load(directory).entities(paper, type=type_), as_json, ["label", "type", "role", "score", "id"])


@query.command()
@click.argument("paper")
@click.argument("entity")
@out_dir_option
@_json_option
def evidence(paper, entity, directory, as_json):
    """The sentences in PAPER that mention ENTITY, with offsets."""
    rows = _load(directory).evidence(paper, entity)
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, ["field", "start", "end", "text", "role", "source", "sentence"])


@query.command()
@click.argument("entity")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="How many to list.")
@out_dir_option
@_json_option
def related(entity, top, directory, as_json):
    """Entities that co-occur with ENTITY in the most papers."""
    _show(_load(directory).related(entity, top=top), as_json, ["label", "type", "score", "id"])


@query.command()
@click.argument("text")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1), help="How many to list.")
@click.option("--type", "type_", type=_TYPES, help="Only entities of this type (or papers).")
@out_dir_option
@_json_option
def find(text, limit, type_, directory, as_json):
    """Fuzzy search for TEXT over entity labels, aliases and paper titles."""
    _show(_load(directory).find(text, limit=limit, type=type_), as_json, ["label", "kind", "type", "score", "id"])


@query.command()
@click.option("--top", type=click.IntRange(1), help="List only the largest this many.")
@out_dir_option
@_json_option
def communities(top, directory, as_json):
    """Communities of entities (Leiden on co-occurrence), largest first, labelled by their most
    distinctive entities. --json lists every entity and paper id."""
    cs = _load(directory).communities()[:top]
    if as_json:
        echo_json([c.to_dict() for c in cs])
    else:
        print_table([{"id": c.id, "size": c.size, "papers": len(c.papers), "label": c.label} for c in cs],
                    ["id", "size", "papers", "label"])


@query.command()
@click.option("--since", type=int, help="First year of the recent period. [default: the last three years]")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="How many to list.")
@out_dir_option
@_json_option
def trending(since, top, directory, as_json):
    """Entities whose share of papers grew the most (needs papers with a year)."""
    rows = [t.to_dict() for t in _load(directory).trending(since=since, top=top)]
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("(no dated papers: trends need a date or year in the input)")
    else:
        print_table(rows, ["label", "type", "growth", "recent", "earlier", "first_year", "last_year"])


def register(group: click.Group) -> None:
    group.add_command(query)
