"""Triple stores: kg's embedded Oxigraph store, SPARQL over it, and pushes to SPARQL servers.

``kg build`` fills an on-disk `Oxigraph <https://github.com/oxigraph/oxigraph>`_
store (``exports/store/``) with the same triples as ``exports/graph.ttl``;
:func:`sparql` queries it. :func:`push` uploads an export to any server that
speaks the SPARQL 1.1 Graph Store HTTP Protocol (Oxigraph, Fuseki, GraphDB,
Virtuoso), replacing one named graph, then checks the triple count.

>>> import networkx as nx, tempfile, pathlib
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="A title")
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> build_store(G, store)
3
>>> sparql(store, "SELECT ?t WHERE { ?p dcterms:title ?t }")
[{'t': 'A title'}]
>>> sparql(store, "ASK { ?p a schema:ScholarlyArticle }")
True
"""

from __future__ import annotations

import base64
import csv
import gc
import http.client
import io
import json
import netrc
import os
import shutil
import socket
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import rdflib

from .errors import InputError, StoreError
from .export.json import read_graph
from .export.rdf import DEFAULT_BASE_IRI, default_graph_iri, ntriples_blocks, prefixes, write_rdf

__all__ = [
    "PushResult",
    "SelectResult",
    "build_store",
    "format_result",
    "push",
    "query_endpoint_for",
    "sparql",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {_XSD + t for t in ("double", "float", "decimal")}

#: Prefixes every :func:`sparql` query may use without declaring them (vocabularies only).
QUERY_PREFIXES = {k: v for k, v in prefixes().items() if k not in {"paper", "entity", "mention", "rel"}}

_RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
                ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
                ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}


# ----------------------------------------------------------------------------- embedded store

def _as_graph(source: nx.MultiDiGraph | str | os.PathLike[str]) -> nx.MultiDiGraph | Path:
    """A graph, or the path of an RDF file, from a graph / graph.json / export folder / RDF file."""
    if isinstance(source, nx.Graph):
        return source
    path = Path(source)
    if path.is_dir():
        if (path / "graph.json").is_file():
            return read_graph(path / "graph.json")
        raise InputError("no graph.json in this folder", path=path, hint="run `kg build` first")
    if path.suffix == ".json":
        return read_graph(path)
    if path.suffix in _RDF_FORMATS:
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
    the old one. The triples go to the store's default graph.
    """
    graph_or_file = _as_graph(source)
    target = Path(store_dir)
    if target.exists() and not (target / "CURRENT").is_file() and (
            not target.is_dir() or any(target.iterdir())):
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
            rdf_file, fmt = graph_or_file, _RDF_FORMATS[graph_or_file.suffix]
        else:
            rdf_file, fmt = tmp / "load.nt", ox.RdfFormat.N_TRIPLES
            with open(rdf_file, "w", encoding="utf-8", newline="\n") as f:
                f.writelines(ntriples_blocks(graph_or_file, base_iri=base_iri))
        store = ox.Store(str(tmp / "db"))
        try:
            store.bulk_load(path=str(rdf_file), format=fmt)
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
    if not (path / "CURRENT").is_file():
        raise StoreError("no Oxigraph store here", path=path,
                         hint="run `kg build` first, or point --store at its store/ folder")
    st = path.stat()
    key = (str(path.resolve()), st.st_ino, st.st_mtime_ns)
    store = _open_stores.get(key)
    if store is None:
        try:
            store = ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store ({exc})", path=path) from None
        _open_stores.clear()  # one open store at a time is plenty
        _open_stores[key] = store
    return store


class SelectResult(list):  # type: ignore[type-arg]
    """Rows of a SELECT query (a list of dicts), with the projected ``variables`` in order."""

    def __init__(self, rows: list[dict[str, Any]], variables: list[str]) -> None:
        super().__init__(rows)
        self.variables = variables


def _plain(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value: IRIs and strings as str, numbers as int/float."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGER_TYPES:
                return int(term.value)
            if dt in _FLOAT_TYPES:
                return float(term.value)
            if dt == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            pass
        return term.value
    return str(term)


def _to_rdflib(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD + "string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.Literal(str(term))


def _to_oxigraph(value: Any) -> Any:
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, rdflib.BNode):
        return ox.BlankNode(str(value))
    if isinstance(value, rdflib.Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    if isinstance(value, (str, int, float, bool)):
        return ox.Literal(value)
    raise StoreError(f"cannot bind a {type(value).__name__} in a SPARQL query",
                     hint="bind str, int, float, bool, rdflib URIRef/Literal or pyoxigraph terms")


def _values_clause(bindings: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (term term) }`` with every name checked and every value serialised by pyoxigraph."""
    names, terms = [], []
    for name, value in bindings.items():
        try:
            names.append(str(ox.Variable(name.lstrip("?$"))))
        except ValueError:
            raise StoreError(f"{name!r} is not a SPARQL variable name") from None
        terms.append(str(_to_oxigraph(value)))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def sparql(store_dir: str | os.PathLike[str], query: str, *,
           bindings: Mapping[str, Any] | None = None) -> SelectResult | bool | list[tuple[Any, Any, Any]]:
    """Run a SPARQL query over the store at *store_dir*.

    Returns a :class:`SelectResult` (list of ``{variable: value}`` dicts with
    plain values, ``None`` when unbound) for SELECT, a ``bool`` for ASK, and
    a list of ``(s, p, o)`` rdflib terms for CONSTRUCT and DESCRIBE. The
    prefixes in :data:`QUERY_PREFIXES` (``kg``, ``schema``, ``dcterms``,
    ``skos``, ``prov``, ...) need no declaration.

    *bindings* sets variables to values (str, int, float, bool, rdflib
    ``URIRef``/``Literal``): each value is serialised as an RDF term by
    pyoxigraph and appended as a trailing ``VALUES`` clause, never pasted
    into the query text raw.

    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title='Hostile "title" >')
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
    >>> _ = build_store(G, store)
    >>> sparql(store, "SELECT ?p ?t WHERE { ?p kg:id ?id ; dcterms:title ?t }", bindings={"id": "P-1"})
    [{'p': 'https://kg.example.org/paper/P-1', 't': 'Hostile "title" >'}]
    """
    store = _open(store_dir)
    if bindings:
        query = query + "\n" + _values_clause(bindings)
    try:
        result = store.query(query, prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise StoreError(f"invalid SPARQL: {str(exc).splitlines()[0]}",
                         hint="check the query; kg:, schema:, dcterms:, skos:, prov: need no PREFIX") from None
    except (RuntimeError, OSError, ValueError) as exc:
        raise StoreError(f"query failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [{n: _plain(sol[n]) for n in names} for sol in result]
        return SelectResult(rows, names)
    if isinstance(result, ox.QueryTriples):
        return [(_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in result]
    return bool(result)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_result(result: Any, format: str = "table") -> str:
    """Render a :func:`sparql` result as ``table``, ``json`` or ``csv`` text.

    CONSTRUCT results are N-Triples for ``table`` and ``csv``.

    >>> print(format_result(SelectResult([{"x": 1, "label": "BERT"}], ["x", "label"])), end="")
    x | label
    --+------
    1 | BERT
    >>> format_result(True, "json")
    'true\\n'
    """
    if format not in ("table", "json", "csv"):
        raise StoreError(f"unknown result format {format!r}", hint="use table, json or csv")
    if isinstance(result, bool):
        if format == "csv":
            return f"ask\r\n{_cell(result)}\r\n"
        return _cell(result) + "\n"
    if isinstance(result, SelectResult) or (isinstance(result, list) and (not result or isinstance(result[0], dict))):
        names = getattr(result, "variables", None) or (list(result[0]) if result else [])
        if format == "json":
            return json.dumps(list(result), ensure_ascii=False, indent=2) + "\n"
        if format == "csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(names)
            w.writerows([[_cell(r.get(n)) for n in names] for r in result])
            return buf.getvalue()
        cells = [[_cell(r.get(n)).replace("\n", "\\n") for n in names] for r in result]
        cells = [[c if len(c) <= 80 else c[:79] + "…" for c in row] for row in cells]
        widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(names)]
        lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
                 "-+-".join("-" * w for w in widths)]
        lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        if not cells:
            lines.append("(no rows)")
        return "\n".join(lines) + "\n"
    # CONSTRUCT / DESCRIBE
    if format == "json":
        return json.dumps([[str(t) for t in triple] for triple in result], ensure_ascii=False, indent=2) + "\n"
    # N-Triples escaped by pyoxigraph (rdflib's n3() may write multi-line literals)
    return "".join(f"{ox.Triple(*map(_to_oxigraph, t))} .\n" for t in result)


# ----------------------------------------------------------------------------- push

@dataclass(frozen=True)
class PushResult:
    """What :func:`push` did: the graph, triples sent, the server's count, time and attempts."""

    graph: str
    endpoint: str
    triples: int
    server_count: int
    bytes: int
    seconds: float
    attempts: int
    method: str

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        return (f"pushed {self.triples:,} triples ({self.bytes / 1e6:.1f} MB) to graph <{self.graph}> "
                f"at {self.endpoint} with {self.method} in {self.seconds:.1f} s "
                f"({self.triples_per_second:,.0f} triples/s, {self.attempts} attempt"
                f"{'s' if self.attempts != 1 else ''}); the server counts {self.server_count:,} triples")


class _Transient(Exception):
    """A failure worth retrying: connection refused/reset, timeout, HTTP 408/429/5xx."""


class _Fatal(Exception):
    """A failure retrying cannot fix: HTTP 4xx, bad URL, unknown host."""


_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
_CHUNK = 1 << 20


def query_endpoint_for(endpoint: str) -> str:
    """Guess the SPARQL query endpoint that goes with a Graph Store endpoint.

    >>> query_endpoint_for("http://127.0.0.1:7878/store")           # Oxigraph
    'http://127.0.0.1:7878/query'
    >>> query_endpoint_for("http://localhost:3030/ds/data")         # Fuseki
    'http://localhost:3030/ds/query'
    >>> query_endpoint_for("http://h:7200/repositories/kg/rdf-graphs/service")  # GraphDB
    'http://h:7200/repositories/kg'
    >>> query_endpoint_for("http://h:8890/sparql-graph-crud")       # Virtuoso
    'http://h:8890/sparql'
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, replacement in (("/store", "/query"), ("/data", "/query"), ("/rdf-graphs/service", ""),
                                ("/sparql-graph-crud-auth", "/sparql-auth"),
                                ("/sparql-graph-crud", "/sparql")):
        if path.endswith(suffix):
            path = path[: -len(suffix)] + replacement
            break
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _redact(url: str) -> str:
    """*url* without user:password."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _credentials(url: str, credentials: tuple[str, str] | None) -> str | None:
    """An ``Authorization`` header value, from the argument, the URL, env vars or ~/.netrc."""
    parts = urllib.parse.urlsplit(url)
    user = password = None
    if credentials is not None:
        user, password = credentials
    elif parts.username is not None:
        user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    elif os.environ.get("KG_SPARQL_USER"):
        user, password = os.environ["KG_SPARQL_USER"], os.environ.get("KG_SPARQL_PASSWORD", "")
    else:
        try:
            auth = netrc.netrc(os.environ.get("NETRC") or None).authenticators(parts.hostname or "")
        except FileNotFoundError:
            auth = None
        except (netrc.NetrcParseError, OSError) as exc:
            # the message names the file and line, never its content
            where = getattr(exc, "filename", None) or "~/.netrc"
            raise StoreError(f"cannot read {where} (line {getattr(exc, 'lineno', '?')})",
                             hint="fix it, or set KG_SPARQL_USER / KG_SPARQL_PASSWORD") from None
        if auth:
            user, password = auth[0], auth[2] or ""
    if user is None:
        return None
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class _Http:
    """Minimal HTTP over http.client: one connection per request, streamed bodies, clear errors."""

    def __init__(self, url: str, *, timeout: float, auth: str | None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"not an http(s) URL: {_redact(url)!r}",
                             hint="e.g. --endpoint http://127.0.0.1:7878/store")
        self.parts = parts
        self.timeout = timeout
        self.auth = auth
        self.where = _redact(url)

    def request(self, method: str, query: Mapping[str, str] | None = None, *, body: Any = None,
                headers: Mapping[str, str] | None = None, size: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> tuple[int, bytes, dict[str, str]]:
        p = self.parts
        cls = http.client.HTTPSConnection if p.scheme == "https" else http.client.HTTPConnection
        conn = cls(p.hostname, p.port, timeout=self.timeout)
        target = p.path or "/"
        qs = "&".join(x for x in (p.query, urllib.parse.urlencode(query or {})) if x)
        if qs:
            target += "?" + qs
        try:
            conn.putrequest(method, target)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if self.auth:
                conn.putheader("Authorization", self.auth)
            if isinstance(body, (bytes, bytearray)):
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders()
                conn.send(body)
            elif body is not None:  # a binary file object: stream it
                conn.putheader("Content-Length", str(size))
                conn.endheaders()
                sent = 0
                while chunk := body.read(_CHUNK):
                    conn.send(chunk)
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent, size or 0)
            else:
                conn.endheaders()
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, data, {k.lower(): v for k, v in resp.getheaders()}
        except socket.gaierror as exc:
            raise _Fatal(f"cannot resolve host {p.hostname!r} ({exc.strerror})") from None
        except TimeoutError:
            raise _Transient(f"timed out after {self.timeout:g} s") from None
        except ConnectionRefusedError:
            raise _Transient("connection refused (is the server running?)") from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise _Transient(f"connection lost ({type(exc).__name__}: {exc})".replace(": )", ")")) from None
        finally:
            conn.close()


def _http_error(status: int, body: bytes, what: str) -> Exception:
    msg = body.decode("utf-8", "replace").strip().splitlines()
    detail = f": {msg[0][:200]}" if msg else ""
    text = f"{what} answered HTTP {status}{detail}"
    if status in _RETRY_STATUS:
        return _Transient(text)
    if status in (401, 403):
        return _Fatal(text + " (set KG_SPARQL_USER and KG_SPARQL_PASSWORD, or add the host to ~/.netrc)")
    return _Fatal(text)


def _retrying(fn: Callable[[], Any], *, retries: int, backoff: float, what: str,
              attempts: list[int]) -> Any:
    delay = backoff
    for attempt in range(retries + 1):
        attempts[0] += 1
        try:
            return fn()
        except _Fatal as exc:
            raise StoreError(f"{what}: {exc}") from None
        except _Transient as exc:
            if attempt == retries:
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise StoreError(f"{what}{tries}: {exc}",
                                 hint="check that the server is up, or raise --retries/--timeout") from None
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")  # pragma: no cover


def _resolve_source(source: str | os.PathLike[str], tmpdir: Path, base_iri: str) -> tuple[Path, str]:
    """The file to upload and its media type; kg graphs and other RDF become N-Triples first."""
    path = Path(source)
    if path.is_dir():
        for name in ("graph.nt", "graph.ttl"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            if not (path / "graph.json").is_file():
                raise InputError("nothing to push in this folder (no graph.nt, graph.ttl or graph.json)",
                                 path=path, hint="run `kg build` first")
            path = path / "graph.json"
    if not path.is_file():
        raise InputError("no such file", path=path, hint="run `kg build` first, or give an export file")
    if path.suffix == ".nt":
        return path, "application/n-triples"
    if path.suffix == ".ttl":
        return path, "text/turtle"
    out = tmpdir / "push.nt"
    if path.suffix == ".json":
        write_rdf(read_graph(path), out, format="ntriples", base_iri=base_iri)
        return out, "application/n-triples"
    fmt = _RDF_FORMATS.get(path.suffix)
    if fmt is None:
        raise InputError(f"cannot push a {path.suffix or 'suffix-less'} file", path=path,
                         hint="push a .ttl, .nt, .nq, .trig, .jsonld or graph.json file, or an export folder")
    try:  # a dataset: all its triples, graph names dropped, go to the one target graph
        with open(out, "wb") as f:
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object)
                          for q in ox.parse(path=str(path), format=fmt)), f, ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise InputError(f"not valid RDF ({exc})", path=path) from None
    return out, "application/n-triples"


def _count_triples(path: Path, media_type: str) -> int:
    """Distinct triples in the file to push (what the server should count afterwards)."""
    seen: set[int] = set()
    try:
        if media_type == "application/n-triples":
            with open(path, "rb") as f:  # binary: lines end at b"\n" only
                for line in f:
                    s = line.strip()
                    if s and not s.startswith(b"#"):
                        seen.add(hash(s))
        else:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                seen.add(hash(q.triple))
    except SyntaxError as exc:
        raise InputError(f"not valid RDF ({exc})", path=path) from None
    return len(seen)


def push(source: str | os.PathLike[str], endpoint: str, *, graph: str | None = None,
         query_endpoint: str | None = None, base_iri: str = DEFAULT_BASE_IRI, retries: int = 3,
         backoff: float = 1.0, timeout: float = 60.0, credentials: tuple[str, str] | None = None,
         progress: Callable[[int, int], None] | None = None, atomic: bool = True) -> PushResult:
    """Replace a named graph on a SPARQL server with an export, then check the count.

    Parameters
    ----------
    source : path
        An export folder (``graph.nt``, else ``graph.ttl``, else ``graph.json``)
        or a file (.nt, .ttl, graph.json, or any RDF file pyoxigraph reads).
    endpoint : str
        The server's SPARQL 1.1 Graph Store endpoint, e.g.
        ``http://127.0.0.1:7878/store`` (Oxigraph), ``http://host:3030/ds/data``
        (Fuseki), ``http://host:7200/repositories/REPO/rdf-graphs/service``
        (GraphDB), ``http://host:8890/sparql-graph-crud`` (Virtuoso).
    graph : str, optional
        The named graph to replace; defaults to ``<base_iri>graph``.
    query_endpoint : str, optional
        Where to send the counting query; guessed by :func:`query_endpoint_for`.
    retries, backoff, timeout : int, float, float
        Transient failures (refused or lost connections, timeouts, HTTP
        408/429/5xx) are retried *retries* times, waiting *backoff* seconds,
        doubled each time; *timeout* bounds each socket operation.
    credentials : (user, password), optional
        Otherwise taken from the URL, ``KG_SPARQL_USER``/``KG_SPARQL_PASSWORD``,
        or ``~/.netrc``; sent as HTTP Basic auth and never printed.
    progress : callable, optional
        Called as ``progress(bytes_sent, bytes_total)`` while uploading.
    atomic : bool
        Replace an existing graph with one PUT, which servers run as one
        transaction (readers see the old graph, then the new one). With
        ``atomic=False`` kg sends DELETE then POST instead: on Oxigraph about
        2.5x faster for big graphs, but readers see the graph empty or partial
        in between.

    The graph is replaced, not appended to: pushing twice leaves the same
    triples. A graph the server does not have yet is created with POST
    (on Oxigraph, without a transaction: about 2.5x faster); an existing one is
    replaced with PUT. The file is streamed from disk, never held in memory.

    Raises
    ------
    StoreError
        Unreachable server, HTTP error, timeout, or a count that does not match.
    """
    graph = graph or default_graph_iri(base_iri)
    try:
        graph_term = ox.NamedNode(graph)
    except ValueError as exc:
        raise StoreError(f"graph {graph!r} is not a valid absolute IRI ({exc})") from None
    auth = _credentials(endpoint, credentials)
    gsp = _Http(endpoint, timeout=timeout, auth=auth)
    qurl = query_endpoint or query_endpoint_for(endpoint)
    sparql_http = _Http(qurl, timeout=timeout, auth=_credentials(qurl, credentials) or auth)
    where = gsp.where
    attempts = [0]
    with tempfile.TemporaryDirectory(prefix="kg-push-") as tmp:
        path, media_type = _resolve_source(source, Path(tmp), base_iri)
        expected = _count_triples(path, media_type)
        size = path.stat().st_size
        used: list[str] = []
        t0 = time.perf_counter()

        def upload() -> None:
            status, body, headers = gsp.request("HEAD", {"graph": graph})
            params = {"graph": graph}
            oxigraph = headers.get("server", "").lower().startswith("oxigraph/")
            deleted = False
            if status in (200, 204) and not atomic:
                status, body, _ = gsp.request("DELETE", {"graph": graph})
                if status not in (200, 204, 404):
                    raise _http_error(status, body, "DELETE")
                status, deleted = 404, True
            if status in (200, 204):
                method = "PUT"
            elif status == 404:
                method = "POST"
                if oxigraph:
                    # Oxigraph loads a new graph ~2.5x faster without a transaction; if the load
                    # breaks off, the retry finds the partial graph and replaces it
                    params["no_transaction"] = ""
            elif status in _RETRY_STATUS:
                raise _http_error(status, body, "HEAD")
            else:  # a server without HEAD support: PUT always replaces
                method = "PUT"
            with open(path, "rb") as f:
                status, body, _ = gsp.request(method, params, body=f, size=size,
                                           headers={"Content-Type": f"{media_type}; charset=utf-8"},
                                           progress=progress)
            if status not in (200, 201, 204):
                raise _http_error(status, body, method)
            used.append("DELETE+POST" if deleted else method)

        _retrying(upload, retries=retries, backoff=backoff, what=f"push to {where} failed", attempts=attempts)
        seconds = time.perf_counter() - t0
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_term} {{ ?s ?p ?o }} }}"

        def count() -> int:
            status, body, _ = sparql_http.request(
                "POST", body=urllib.parse.urlencode({"query": query}).encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/sparql-results+json"})
            if status != 200:
                raise _http_error(status, body, "the count query")
            try:
                return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise _Fatal("unexpected answer to the count query "
                             "(use --query-endpoint to name the SPARQL query endpoint)") from None

        server_count = _retrying(count, retries=retries, backoff=backoff,
                                 what=f"counting triples at {sparql_http.where} failed", attempts=[0])
    if server_count != expected:
        raise StoreError(f"graph <{graph}> at {where} holds {server_count:,} triples after the push, "
                         f"expected {expected:,}", hint="push again; another client may be writing to it")
    return PushResult(graph=graph, endpoint=where, triples=expected, server_count=server_count, bytes=size,
                      seconds=seconds, attempts=attempts[0], method=used[-1] if used else "PUT")

