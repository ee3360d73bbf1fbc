"""Writing a graph as RDF: the five formats, their names, and the block writer behind them.

Turtle and TriG are :func:`~kg.export.rdf.triples.turtle_blocks` after the
``@prefix`` lines (TriG inside the named graph); N-Triples is
:func:`~kg.export.rdf.triples.ntriples_blocks`, N-Quads the same lines with
the graph name added. JSON-LD is the N-Triples parsed back by pyoxigraph
(which also checks every generated line) and written by
:func:`~kg.export.rdf.jsonld.write_jsonld`. Every file is written atomically.

>>> normalise_format("N-Triples")
'ntriples'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import rdflib

from ..._gc import gc_paused
from ..._io import atomic_write
from ...errors import ArgumentError, ExportError
from .iri import DEFAULT_BASE_IRI, check_base, check_iri, default_graph_iri
from .jsonld import write_jsonld
from .triples import ntriples_blocks, turtle_blocks
from .vocab import prefixes

__all__ = ["RDF_FORMATS", "graph_to_rdf", "normalise_format", "write_blocks", "write_rdf"]

#: Export formats: name -> (file extension, media type, holds named graphs).
RDF_FORMATS: dict[str, tuple[str, str, bool]] = {
    "turtle": (".ttl", "text/turtle", False),
    "ntriples": (".nt", "application/n-triples", False),
    "jsonld": (".jsonld", "application/ld+json", False),
    "trig": (".trig", "application/trig", True),
    "nquads": (".nq", "application/n-quads", True),
}
_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld",
            "nq": "nquads", "n-quads": "nquads"}


def normalise_format(format: str) -> str:
    """The name in :data:`RDF_FORMATS` of *format* or one of its aliases (any case).

    >>> normalise_format("rdfxml")
    Traceback (most recent call last):
    ...
    kg.errors.ArgumentError: unknown RDF format 'rdfxml' (use one of turtle, ntriples, jsonld, trig, nquads)
    """
    name = _ALIASES.get(format.lower(), format.lower())
    if name not in RDF_FORMATS:
        raise ArgumentError(f"unknown RDF format {format!r}", hint=f"use one of {', '.join(RDF_FORMATS)}")
    return name


def graph_to_rdf(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> rdflib.Graph:
    """The graph as an in-memory :class:`rdflib.Graph` (for small graphs and tests).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T")
    >>> len(graph_to_rdf(G))
    3
    """
    g = rdflib.Graph()
    for prefix, ns in prefixes(base_iri).items():
        g.bind(prefix, ns, override=True)
    g.parse(data="".join(ntriples_blocks(G, base_iri=base_iri)), format="nt")
    return g


@gc_paused()  # its temporaries die young; a full GC pass would walk the whole graph
def write_rdf(G: nx.MultiDiGraph, path: str | os.PathLike[str], *, format: str = "turtle",
              base_iri: str = DEFAULT_BASE_IRI, graph_iri: str | None = None) -> int:
    """Write *G* as RDF to *path*, atomically; return the number of triples.

    Parameters
    ----------
    format : str
        ``turtle``, ``ntriples``, ``jsonld``, ``trig`` or ``nquads``.
    base_iri : str
        Prefix of every paper, entity, mention and relation IRI; ends with ``/`` or ``#``.
    graph_iri : str, optional
        The named graph of TriG and N-Quads (and of JSON-LD when given);
        defaults to :func:`~kg.export.rdf.iri.default_graph_iri`. Ignored,
        with a warning, by Turtle and N-Triples.

    Raises
    ------
    ArgumentError
        An unknown format, or a base or graph IRI that is not a valid absolute IRI.
    ExportError
        A graph that is not kg's, or a file that cannot be written.

    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
    >>> write_rdf(G, out)
    3
    >>> "dcterms:title" in out.read_text()
    True
    """
    fmt = normalise_format(format)
    check_base(base_iri)
    quads = RDF_FORMATS[fmt][2]
    if graph_iri is not None:
        check_iri(graph_iri, "graph IRI")
        if not quads and fmt != "jsonld":
            warnings.warn(f"{fmt} has no named graphs; graph_iri {graph_iri!r} is ignored", stacklevel=2)
    elif quads:
        graph_iri = default_graph_iri(base_iri)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot write here: {exc.strerror}", path=path,
                          hint="choose another output folder with -o") from None
    if fmt in ("turtle", "trig"):  # written directly, one statement per subject
        head = "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes(base_iri).items()) + "\n"
        if fmt == "trig":
            return write_blocks(turtle_blocks(G, base_iri=base_iri), path, head=f"{head}<{graph_iri}> {{\n",
                                tail="}\n")
        return write_blocks(turtle_blocks(G, base_iri=base_iri), path, head=head)
    blocks = ntriples_blocks(G, base_iri=base_iri)
    if fmt == "ntriples":
        return write_blocks(blocks, path)
    if fmt == "nquads":  # " .\n" only ever ends a line (see ntriples_blocks)
        g_suffix = f" <{graph_iri}> .\n"
        return write_blocks((b.replace(" .\n", g_suffix) for b in blocks), path)
    return _write_jsonld_file(blocks, path, prefixes(base_iri), graph_iri)


def _write_jsonld_file(blocks: Iterable[str], path: Path, pfx: dict[str, str], graph_iri: str | None) -> int:
    """N-Triples *blocks* into a temp file beside *path*, parsed back and written as JSON-LD."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        count = write_blocks(blocks, tmp, atomic=False)
        parsed = ox.parse(path=tmp, format=ox.RdfFormat.N_TRIPLES)
        with atomic_write(path, "wb") as f:
            write_jsonld(parsed, f, pfx, graph_iri)
    except SyntaxError as exc:  # a line kg generated that pyoxigraph rejects: a bug in kg
        raise ExportError(f"generated invalid RDF ({exc})", path=path,
                          hint="please report this with the input that caused it") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return count


def write_blocks(blocks: Iterable[str], path: str | Path, *, atomic: bool = True, head: str = "",
                 tail: str = "") -> int:
    """Write *head*, blocks of whole lines in large writes, then *tail*; return how many lines the blocks hold.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.nt"
    >>> write_blocks(["a\\nb\\n", "c\\n"], out, head="# h\\n")
    3
    >>> out.read_text()
    '# h\\na\\nb\\nc\\n'
    """
    count = 0
    with atomic_write(path) if atomic else open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(head)
        buf: list[str] = []
        size = 0
        for block in blocks:
            buf.append(block)
            size += len(block)
            if size >= 1 << 20:
                text = "".join(buf)
                count += text.count("\n")
                f.write(text)
                buf.clear()
                size = 0
        text = "".join(buf)
        count += text.count("\n")
        f.write(text + tail)
    return count
