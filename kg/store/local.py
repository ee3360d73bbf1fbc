"""kg's embedded Oxigraph store: build it beside the exports, swap it into place, query it.

``kg build`` fills an on-disk store (``exports/store/``) with the same triples as
``exports/graph.ttl``; :func:`sparql` runs queries over it, read-only, with
values bound as RDF terms rather than pasted into the query text.

The triples sit in the named graph ``<base>graph``, the graph ``kg push``
writes on a server, and queries see the union of all graphs as their
default graph: ``{ ?s a kg:Method }``, ``GRAPH <https://w3id.org/kg/local/graph> { ... }``
and ``FROM <https://w3id.org/kg/local/graph>`` all work here as on a server.

>>> import networkx as nx, tempfile, pathlib
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="A title")
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> build_store(G, store)
3
>>> sparql(store, "ASK { ?p a schema:ScholarlyArticle }")
True
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from ..errors import ArgumentError, InputError, StoreError
from ..export.json import read_graph
from ..export.rdf import DEFAULT_BASE_IRI, default_graph_iri, ntriples_blocks, prefixes
from ..paths import ExportPaths, is_store
from .results import SelectResult, escape_controls, to_oxigraph, to_python

__all__ = ["QUERY_PREFIXES", "RDF_SUFFIXES", "build_store", "sparql"]

#: Prefixes every :func:`sparql` query may use without declaring them (vocabularies only).
QUERY_PREFIXES = {k: v for k, v in prefixes().items() if k not in {"paper", "entity", "mention", "rel"}}

#: The RDF files pyoxigraph reads, by suffix.
RDF_SUFFIXES = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
                ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
                ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}


def _as_graph(source: nx.MultiDiGraph | str | os.PathLike[str]) -> nx.MultiDiGraph | Path:
    """A graph, or the path of an RDF file, from a graph / graph.json / export folder / RDF file."""
    if isinstance(source, nx.Graph):
        return source
    path = Path(source)
    if path.is_dir():
        return read_graph(ExportPaths(path).require_graph())
    if path.suffix == ".json":
        return read_graph(path)
    if path.suffix in RDF_SUFFIXES:
        if not path.is_file():
            raise InputError("no such file", path=path)
        return path
    raise InputError(f"cannot load a store from a {path.suffix or 'suffix-less'} file", path=path,
                     hint="give a graph, graph.json, an export folder or an RDF file (.ttl, .nt, .nq, .trig)")


def build_store(source: nx.MultiDiGraph | str | os.PathLike[str], store_dir: str | os.PathLike[str], *,
                base_iri: str = DEFAULT_BASE_IRI) -> int:
    """Fill an on-disk Oxigraph store at *store_dir* with *source*'s triples; return how many.

    *source* is a graph, a ``graph.json``, a folder holding one, or an RDF
    file. The store is built in a temp folder beside *store_dir* and renamed
    into place, so readers never see a half-built store and a failure keeps
    the old one. The triples go to the named graph ``<base_iri>graph`` (a
    TriG or N-Quads file keeps its own graphs); :func:`sparql` reads the union.

    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="A title")
    >>> build_store(G, pathlib.Path(tempfile.mkdtemp()) / "store")
    3
    """
    graph_or_file = _as_graph(source)
    target = Path(store_dir)
    if target.exists() and not is_store(target) and (not target.is_dir() or any(target.iterdir())):
        raise StoreError("exists and is not an Oxigraph store; refusing to replace it", path=target,
                         hint="choose another store folder or remove this one")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise StoreError(f"cannot create the store here: {exc.strerror}", path=target,
                         hint="choose another output folder") from None
    try:
        if isinstance(graph_or_file, Path):
            rdf_file, fmt = graph_or_file, RDF_SUFFIXES[graph_or_file.suffix]
        else:
            rdf_file, fmt = tmp / "load.nt", ox.RdfFormat.N_TRIPLES
            with open(rdf_file, "w", encoding="utf-8", newline="\n") as f:
                f.writelines(ntriples_blocks(graph_or_file, base_iri=base_iri))
        store = ox.Store(str(tmp / "db"))
        to_graph = None if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else ox.NamedNode(
            default_graph_iri(base_iri))
        try:
            store.bulk_load(path=str(rdf_file), format=fmt, to_graph=to_graph)
        except SyntaxError as exc:
            raise InputError(f"not valid RDF ({exc})", path=rdf_file) from None
        store.flush()
        count = len(store)
        del store
        gc.collect()  # closes RocksDB before the folder moves
        _swap_into_place(tmp / "db", target)
    except OSError as exc:
        raise StoreError(f"cannot build the store: {exc}", path=target) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return count


def _swap_into_place(new: Path, target: Path) -> None:
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    _open_stores.clear()
    shutil.rmtree(old, ignore_errors=True)


_open_stores: dict[tuple[str, int, int], ox.Store] = {}


def _open(store_dir: str | os.PathLike[str]) -> ox.Store:
    path = Path(store_dir)
    if not is_store(path):
        raise StoreError("no Oxigraph store here", path=path,
                         hint="run `kg build` first, or point --store at its store/ folder")
    st = path.stat()
    key = (str(path.resolve()), st.st_ino, st.st_mtime_ns)
    store = _open_stores.get(key)
    if store is None:
        try:
            store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"cannot open the store ({escape_controls(_first_line(exc))})", path=path,
                             hint="rebuild it with `kg build`") from None
        _open_stores.clear()  # one open store at a time is plenty
        _open_stores[key] = store
    return store


def _values_clause(bindings: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (term term) }`` with every name checked and every value serialised by pyoxigraph."""
    names, terms = [], []
    for name, value in bindings.items():
        try:
            names.append(str(ox.Variable(name.lstrip("?$"))))
        except ValueError:
            raise ArgumentError(f"{name!r} is not a SPARQL variable name") from None
        terms.append(str(to_oxigraph(value)))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# blanked out before looking for keywords: comments, string literals, IRIs (SPARQL's IRIREF has no spaces)
_NOT_KEYWORDS = re.compile(
    r"#[^\n]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>')
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE)
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*\S*\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)


def _keywords_text(query: str) -> str:
    """*query* with comments, string literals and IRIs blanked out, so only keywords and names remain.

    >>> _keywords_text('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    'SELECT * { ?s     }  '
    """
    return _NOT_KEYWORDS.sub(" ", query)


def sparql(store_dir: str | os.PathLike[str], query: str, *, bindings: Mapping[str, Any] | None = None,
           allow_service: bool = False) -> SelectResult | bool | list[tuple[Any, Any, Any]]:
    """Run a SPARQL query over the store at *store_dir*.

    Returns a :class:`~kg.store.SelectResult` (list of ``{variable: value}``
    dicts with plain values, ``None`` when unbound) for SELECT, a ``bool`` for
    ASK, and a list of ``(s, p, o)`` rdflib terms for CONSTRUCT and DESCRIBE.
    The prefixes in :data:`QUERY_PREFIXES` (``kg``, ``schema``, ``dcterms``,
    ``skos``, ``prov``, ...) need no declaration. The default graph is the
    union of the store's graphs (kg's triples are in ``<base>graph``).

    *bindings* sets variables to values (str, int, float, bool, rdflib
    ``URIRef``/``Literal``): each value is serialised as an RDF term by
    pyoxigraph and appended as a trailing ``VALUES`` clause, never pasted
    into the query text raw.

    A ``SERVICE`` clause (a request to another server) is refused unless
    *allow_service*; SPARQL updates are refused (the store is read-only).

    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title='Hostile "title" >')
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
    >>> _ = build_store(G, store)
    >>> sparql(store, "SELECT ?p ?t WHERE { ?p kg:id ?id ; dcterms:title ?t }", bindings={"id": "P-1"})
    [{'p': 'https://w3id.org/kg/local/paper/P-1', 't': 'Hostile "title" >'}]
    >>> sparql(store, "ASK { GRAPH <https://w3id.org/kg/local/graph> { ?p kg:id 'P-1' } }")
    True
    """
    store = _open(store_dir)
    keywords = _keywords_text(query)
    if not allow_service and _SERVICE.search(keywords):
        raise ArgumentError("the query has a SERVICE clause, which would send a request to another server",
                            hint="pass --allow-service (allow_service=True) if you mean it")
    if bindings:
        query = query + "\n" + _values_clause(bindings)
    try:
        result = store.query(query, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True)
        return to_python(result)
    except SyntaxError as exc:
        if _UPDATE.match(keywords):
            raise ArgumentError("SPARQL updates are not supported here: the embedded store is read-only",
                                hint="rebuild with `kg build`, or push to a server and update it there") from None
        raise StoreError(f"invalid SPARQL: {escape_controls(_first_line(exc))}",
                         hint="check the query; kg:, schema:, dcterms:, skos:, prov: need no PREFIX") from None
    except (RuntimeError, OSError, ValueError) as exc:
        raise StoreError(f"query failed: {escape_controls(_first_line(exc))}") from None
