"""`kg export`, `kg sparql` and `kg push`: RDF files, the embedded store, SPARQL servers."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..errors import ArgumentError, InputError
from ..paths import export_paths, store_dir

__all__ = ["export", "push_cmd", "register", "sparql_cmd"]


class _RdfFormat(click.Choice):
    """The names in kg.export.rdf.RDF_FORMATS, read on first use: `kg --help` need not load rdflib."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from ..export.graphml import GRAPH_FORMATS
        from ..export.rdf import RDF_FORMATS

        return (*RDF_FORMATS, *GRAPH_FORMATS)

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:  # click.Choice.__init__ sets it; RDF_FORMATS decides
        pass


@click.command()
@click.argument("args", nargs=-1, metavar="[FORMAT] [SOURCE]")
@click.option("--format", "-f", "fmt", type=_RdfFormat(), default="turtle", show_default=True,
              help="What to write: an RDF syntax (trig and nquads put the triples in a named graph, see --graph), "
                   "or graphml/gexf for Gephi, Cytoscape and yEd.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File to write (default: graph.<ext> beside SOURCE's graph.json).")
@click.option("--base-iri", metavar="IRI", help="Base of every paper/entity IRI, ending in / or # "
              "(default: https://w3id.org/kg/local/).")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="Named graph for trig, nquads and jsonld (default: <base-iri>graph).")
def export(args: tuple[str, ...], fmt: str, output: str | None, base_iri: str | None, graph_iri: str | None) -> None:
    """Write the graph in SOURCE (a `kg build` folder or graph.json, default exports) as RDF, GraphML or GEXF.

    \b
    kg export --format ntriples            exports/graph.nt
    kg export -f jsonld -o graph.jsonld    JSON-LD with a @context
    kg export graphml                      exports/graph.graphml (Gephi, Cytoscape, yEd; also gexf)
    """
    from ..export.json import read_graph
    from ..export.rdf import DEFAULT_BASE_IRI, RDF_FORMATS, write_rdf

    if args and args[0] in _RdfFormat().choices and (len(args) == 2 or not Path(args[0]).exists()):
        fmt, args = args[0], args[1:]  # `kg export graphml [SOURCE]`: the format first
    if len(args) > 1:
        raise ArgumentError(f"unexpected arguments {' '.join(args[1:])!r}", hint="see `kg export --help`")
    source = args[0] if args else "exports"
    file = export_paths(source).require_graph()
    if fmt not in RDF_FORMATS:
        from ..export.graphml import GRAPH_FORMATS, write_tools_graph

        out = write_tools_graph(read_graph(file), output or file.with_name("graph" + GRAPH_FORMATS[fmt]), format=fmt)
        click.echo(f"wrote {out} ({fmt})")
        return
    out = Path(output) if output else file.with_name("graph" + RDF_FORMATS[fmt][0])
    t0 = time.perf_counter()
    n = write_rdf(read_graph(file), out, format=fmt, base_iri=base_iri or DEFAULT_BASE_IRI,
                  graph_iri=graph_iri if RDF_FORMATS[fmt][2] or fmt == "jsonld" else None)
    dt = time.perf_counter() - t0
    click.echo(f"wrote {n:,} triples to {out} ({fmt}) in {dt:.1f} s")


def _read_query(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read the query file ({exc.strerror})", path=path) from None
    return query


def _bindings(values: tuple[str, ...], iris: tuple[str, ...]) -> dict[str, object]:
    import pyoxigraph as ox

    out: dict[str, object] = {}
    for raw, as_iri in [(v, False) for v in values] + [(v, True) for v in iris]:
        name, sep, value = raw.partition("=")
        if not sep or not name:
            raise ArgumentError(f"--bind expects NAME=VALUE, got {raw!r}")
        if not as_iri:
            out[name] = value
            continue
        try:
            out[name] = ox.NamedNode(value)
        except ValueError as exc:
            raise ArgumentError(f"--bind-iri {name}: {value!r} is not an absolute IRI ({exc})") from None
    return out


@click.command("sparql")
@click.argument("query")
@click.option("--dir", "-d", "directory", default="exports", show_default=True,
              type=click.Path(file_okay=True, dir_okay=True),
              help="The folder `kg build` wrote (its store/ is queried), or a store folder.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output: an aligned table, JSON rows, or CSV. CONSTRUCT prints N-Triples.")
@click.option("--bind", "bind_values", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to a string literal, safely (repeatable).")
@click.option("--bind-iri", "bind_iris", multiple=True, metavar="NAME=IRI",
              help="Bind ?NAME to an IRI, safely (repeatable).")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses query other servers (refused by default: a local query sends no request).")
def sparql_cmd(query: str, directory: str, fmt: str, bind_values: tuple[str, ...],
               bind_iris: tuple[str, ...], allow_service: bool) -> None:
    """Run a SPARQL QUERY on the embedded store (QUERY may be @file.rq, or - for stdin).

    The prefixes kg:, schema:, dcterms:, skos:, prov:, bibo:, rdf:, rdfs: and
    xsd: need no PREFIX line. kg's triples are in the named graph
    <https://w3id.org/kg/local/graph> (as after `kg push`); the default graph is
    the union of all graphs, so queries need no GRAPH or FROM.

    \b
    kg sparql "SELECT ?m ?label WHERE { ?m a kg:Method ; skos:prefLabel ?label } LIMIT 10"
    kg sparql "SELECT ?t WHERE { ?p kg:id ?id ; dcterms:title ?t }" --bind id=P-796464ee507ceca4
    """
    from ..store import format_result, sparql

    result = sparql(store_dir(directory), _read_query(query), bindings=_bindings(bind_values, bind_iris),
                    allow_service=allow_service)
    text = format_result(result, fmt)
    if fmt == "csv" and sys.stdout.isatty():  # raw data for files and pipes, never escape codes on a terminal
        from ..store.results import escape_controls

        text = escape_controls(text, keep="\r\n")
    click.echo(text, nl=False)


@click.command("push")
@click.argument("source", default="exports", type=click.Path(dir_okay=True, file_okay=True))
@click.option("--endpoint", "-e", required=True, envvar="KG_SPARQL_ENDPOINT", metavar="URL",
              help="The server's SPARQL Graph Store endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
                   "http://host:3030/ds/data (Fuseki), .../repositories/REPO/rdf-graphs/service (GraphDB), "
                   "http://host:8890/sparql-graph-crud-auth (Virtuoso). Env: KG_SPARQL_ENDPOINT.")
@click.option("--graph", "-g", metavar="IRI",
              help="The named graph to replace (default: <base-iri>graph); never the server's default graph.")
@click.option("--query-endpoint", metavar="URL",
              help="SPARQL query endpoint for the count check (default: guessed from --endpoint).")
@click.option("--base-iri", metavar="IRI", help="Base IRI, for the default graph name and for graph.json input.")
@click.option("--retries", default=3, show_default=True, type=click.IntRange(0, 20),
              help="Retries after a transient failure (refused/lost connection, HTTP 408/429/5xx).")
@click.option("--backoff", default=1.0, show_default=True, type=click.FloatRange(0, 60),
              help="Seconds to wait before the first retry; doubled each time.")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), metavar="SECONDS",
              help="Deadline for the whole push (upload, retries, count check). "
                   "Default: sized to the upload, 2 min + 4 min per million triples.")
@click.option("--no-atomic", is_flag=True,
              help="Replace an existing graph with DELETE then POST instead of PUT (or, on Oxigraph, one "
                   "SPARQL Update of the difference): readers see it empty or partial meanwhile.")
def push_cmd(source: str, endpoint: str, graph: str | None, query_endpoint: str | None,
             base_iri: str | None, retries: int, backoff: float, timeout: float | None, no_atomic: bool) -> None:
    """Replace a named graph on a SPARQL server with SOURCE, then check the triple count.

    SOURCE is a `kg build` folder (graph.nt, else graph.ttl, else graph.json)
    or an RDF file. Uses the SPARQL 1.1 Graph Store HTTP Protocol, so pushing
    twice leaves the same triples. Credentials come from KG_SPARQL_USER and
    KG_SPARQL_PASSWORD, ~/.netrc or the URL, are sent only when the server
    asks (HTTP Digest or Basic), and are never printed.

    \b
    kg push -e http://127.0.0.1:7878/store
    KG_SPARQL_USER=dba KG_SPARQL_PASSWORD=dba kg push -e http://127.0.0.1:8890/sparql-graph-crud-auth
    """
    from ..export.rdf import DEFAULT_BASE_IRI
    from ..store import push

    progress = None
    if sys.stderr.isatty():
        def progress(sent: int, total: int) -> None:
            click.echo(f"\ruploading {sent / 1e6:,.1f} / {total / 1e6:,.1f} MB", err=True, nl=sent >= total)

    result = push(source, endpoint, graph=graph, query_endpoint=query_endpoint,
                  base_iri=base_iri or DEFAULT_BASE_IRI, retries=retries, backoff=backoff, timeout=timeout,
                  progress=progress, atomic=not no_atomic)
    click.echo(str(result))


def register(group: click.Group) -> None:
    """Add ``export``, ``sparql`` and ``push`` to the ``kg`` command group."""
    group.add_command(export)
    group.add_command(sparql_cmd)
    group.add_command(push_cmd)




