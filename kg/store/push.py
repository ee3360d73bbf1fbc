"""Pushes to SPARQL servers: replace one named graph with an export, then check the count.

:func:`push` uploads an export to any server that speaks the SPARQL 1.1 Graph
Store HTTP Protocol (Oxigraph, Fuseki, GraphDB, Virtuoso) and never touches the
embedded store. It resolves what to send (an export folder or an RDF file,
turned into N-Triples or Turtle), counts its distinct triples, uploads it with
retries (:mod:`kg.store.http`), and asks the server's query endpoint for the
count afterwards. The whole push runs under one deadline.

Replacing a graph Oxigraph already holds is slow whole (PUT of 700k triples:
minutes), so there kg sends only the difference: it fetches the graph, and
one SPARQL Update (one transaction) deletes what the export lacks and inserts
what it adds. A big difference, or blank nodes, falls back to PUT.

>>> query_endpoint_for("http://127.0.0.1:7878/store")
'http://127.0.0.1:7878/query'
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import ArgumentError, InputError, StoreError
from ..export.json import read_graph
from ..export.rdf import DEFAULT_BASE_IRI, default_graph_iri, write_rdf
from ..paths import ExportPaths
from .http import (
    RETRY_STATUS,
    Deadline,
    Fatal,
    HttpClient,
    credentials_for,
    http_error,
    parse_url,
    retrying,
)
from .local import RDF_SUFFIXES

__all__ = ["PushResult", "default_timeout", "push", "query_endpoint_for"]


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



def _resolve_source(source: str | os.PathLike[str], tmpdir: Path, base_iri: str) -> tuple[Path, str]:
    """The file to upload and its media type; kg graphs and other RDF become N-Triples first."""
    path = Path(source)
    if path.is_dir():
        export = ExportPaths(path)
        found = [f for f in (export.graph_nt, export.graph_ttl, export.graph_json) if f.is_file()]
        if not found:
            raise InputError("nothing to push in this folder (no graph.nt, graph.ttl or graph.json)",
                             path=path, hint="run `kg build` first")
        path = found[0]
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
    fmt = RDF_SUFFIXES.get(path.suffix)
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


#: The deadline of a push is this many seconds ...
BASE_TIMEOUT = 120.0
#: ... plus this many per triple pushed (4 minutes per million).
TIMEOUT_PER_TRIPLE = 240e-6
#: Oxigraph replaces by difference when it touches at most this share of the graph's triples.
SYNC_SHARE = 0.25


def default_timeout(triples: int) -> float:
    """The deadline of a push of *triples* triples when none is given: sized to the upload.

    >>> default_timeout(1_000_000)
    360.0
    """
    return BASE_TIMEOUT + TIMEOUT_PER_TRIPLE * triples


def _update_endpoint_for(endpoint: str) -> str | None:
    """Oxigraph's SPARQL Update endpoint beside its Graph Store one (``/store`` -> ``/update``)."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if not path.endswith("/store"):
        return None
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path[: -len("/store")] + "/update", "", ""))


def _triple_lines(data: bytes | Path, media_type: str) -> set[str] | None:
    """The triples as N-Triples terms (no final dot), or None when one has a blank node (no stable name)."""
    fmt = ox.RdfFormat.N_TRIPLES if media_type == "application/n-triples" else ox.RdfFormat.TURTLE
    out: set[str] = set()
    parsed = ox.parse(data, format=fmt) if isinstance(data, bytes) else ox.parse(path=str(data), format=fmt)
    for t in parsed:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            return None
        out.add(str(t.triple) if isinstance(t, ox.Quad) else str(t))
    return out


def _sync(gsp: HttpClient, update: HttpClient, graph: str, path: Path, media_type: str) -> bool:
    """Make *graph* on Oxigraph equal the file by one SPARQL Update of the difference; False when not worth it."""
    status, body, headers = gsp.request("GET", {"graph": graph}, headers={"Accept": "application/n-triples"})
    if status != 200 or not headers.get("content-type", "").startswith("application/n-triples"):
        return False
    try:
        old = _triple_lines(body, "application/n-triples")
        new = _triple_lines(path, media_type)
    except SyntaxError:
        return False
    if old is None or new is None:
        return False
    deletes, inserts = old - new, new - old
    if len(deletes) + len(inserts) > SYNC_SHARE * max(len(new), 1):
        return False
    if not deletes and not inserts:
        return True
    g = ox.NamedNode(graph)
    text = "".join([f"DELETE DATA {{ GRAPH {g} {{\n", *(t + " .\n" for t in deletes), "} } ;\n",
                    f"INSERT DATA {{ GRAPH {g} {{\n", *(t + " .\n" for t in inserts), "} }\n"])
    status, body, headers = update.request("POST", body=text.encode("utf-8"),
                                           headers={"Content-Type": "application/sparql-update; charset=utf-8"})
    if status not in (200, 204):
        raise http_error(status, body, "the SPARQL Update", headers)
    return True


def push(source: str | os.PathLike[str], endpoint: str, *, graph: str | None = None,
         query_endpoint: str | None = None, base_iri: str = DEFAULT_BASE_IRI, retries: int = 3,
         backoff: float = 1.0, timeout: float | None = None, credentials: tuple[str, str] | None = None,
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
        (GraphDB), ``http://host:8890/sparql-graph-crud-auth`` (Virtuoso, with
        Digest auth; ``/sparql-graph-crud`` only where anonymous may write).
    graph : str, optional
        The named graph to replace; defaults to ``<base_iri>graph``. An empty
        string is an error, never the server's default graph.
    query_endpoint : str, optional
        Where to send the counting query; guessed by :func:`query_endpoint_for`.
    retries, backoff : int, float
        Transient failures (refused or lost connections, HTTP 408/429/5xx) are
        retried *retries* times, waiting *backoff* seconds, doubled each time.
        401 and 403 are never retried: they are reported with the server's reason.
    timeout : float, optional
        A deadline in seconds for the whole push: upload, retries and the count
        check. Defaults to :func:`default_timeout` of the triple count.
    credentials : (user, password), optional
        Otherwise taken from the URL, ``KG_SPARQL_USER``/``KG_SPARQL_PASSWORD``,
        or ``~/.netrc``; sent only when the server asks (Digest or Basic) and never printed.
    progress : callable, optional
        Called as ``progress(bytes_sent, bytes_total)`` while uploading.
    atomic : bool
        Replace an existing graph so that readers see the old graph, then the
        new one: one PUT, or on Oxigraph one SPARQL Update of the difference.
        With ``atomic=False`` kg sends DELETE then POST: readers see the graph
        empty or partial in between.

    The graph is replaced, not appended to: pushing twice leaves the same
    triples. A graph the server does not have yet is created with POST
    (on Oxigraph, without a transaction: about 2.5x faster). The file is
    streamed from disk.

    Raises
    ------
    ArgumentError
        *endpoint* is not an http(s) URL, or *graph* not an absolute IRI.
    InputError
        *source* is missing, not RDF, or a folder with nothing to push.
    StoreError
        Unreachable server, refused credentials, HTTP error, the deadline
        passed, or a count that does not match.
    """
    if graph is not None and not graph.strip():
        raise ArgumentError("the graph IRI is empty",
                            hint="leave --graph out to use <base-iri>graph, or give an absolute IRI")
    graph = graph if graph is not None else default_graph_iri(base_iri)
    try:
        graph_term = ox.NamedNode(graph)
    except ValueError as exc:
        raise ArgumentError(f"graph {graph!r} is not a valid absolute IRI ({exc})") from None
    parse_url(endpoint)
    qurl = query_endpoint or query_endpoint_for(endpoint)
    parse_url(qurl, "http://127.0.0.1:7878/query")
    if timeout is not None and not timeout > 0:
        raise ArgumentError(f"timeout must be positive, got {timeout!r}")
    attempts = [0]
    with tempfile.TemporaryDirectory(prefix="kg-push-") as tmp:
        path, media_type = _resolve_source(source, Path(tmp), base_iri)
        expected = _count_triples(path, media_type)
        size = path.stat().st_size
        deadline = Deadline(timeout if timeout is not None else default_timeout(expected))
        gsp = HttpClient(endpoint, deadline=deadline, credentials=credentials_for(endpoint, credentials))
        same_auth = gsp.auth if urllib.parse.urlsplit(qurl).netloc == gsp.parts.netloc else None
        sparql_http = HttpClient(qurl, deadline=deadline, credentials=credentials_for(qurl, credentials),
                                 auth=same_auth)
        uurl = _update_endpoint_for(endpoint)
        where = gsp.where
        used: list[str] = []
        t0 = time.perf_counter()

        def upload() -> None:
            status, body, headers = gsp.request("HEAD", {"graph": graph})
            params = {"graph": graph}
            server = headers.get("server", "").lower()
            oxigraph, virtuoso = server.startswith("oxigraph/"), server.startswith("virtuoso/")
            if status in (401, 403) or status in RETRY_STATUS:
                raise http_error(status, body, "HEAD", headers)
            exists = status in (200, 204)
            if exists and atomic and oxigraph and uurl is not None:
                update = HttpClient(uurl, deadline=deadline, auth=gsp.auth)
                if _sync(gsp, update, graph, path, media_type):
                    used.append("difference (SPARQL Update)")
                    return
            deleted = False
            if virtuoso or (exists and not atomic):
                # Virtuoso 7.2 answers HEAD with 501 and stalls on a large PUT: replace by DELETE + POST
                status, body, headers = gsp.request("DELETE", {"graph": graph})
                if status not in (200, 204, 404):
                    raise http_error(status, body, "DELETE", headers)
                deleted = status != 404
                method = "POST"
            elif exists or status != 404:  # a server without HEAD support: PUT always replaces
                method = "PUT"
            else:
                method = "POST"
                if oxigraph:
                    # Oxigraph loads a new graph ~2.5x faster without a transaction; if the load
                    # breaks off, the retry finds the partial graph and replaces it
                    params["no_transaction"] = ""
            with open(path, "rb") as f:
                status, body, headers = gsp.request(method, params, body=f, size=size,
                                                    headers={"Content-Type": media_type},  # UTF-8 by definition
                                                    progress=progress)
            if status not in (200, 201, 204):
                raise http_error(status, body, method, headers)
            used.append("DELETE+POST" if deleted else method)

        retrying(upload, retries=retries, backoff=backoff, what=f"push to {where} failed", attempts=attempts,
                 deadline=deadline)
        seconds = time.perf_counter() - t0
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_term} {{ ?s ?p ?o }} }}"

        def count() -> int:
            status, body, headers = sparql_http.request(
                "POST", body=urllib.parse.urlencode({"query": query}).encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/sparql-results+json"})
            if status != 200:
                raise http_error(status, body, "the count query", headers)
            try:
                return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise Fatal("unexpected answer to the count query "
                             "(use --query-endpoint to name the SPARQL query endpoint)") from None

        server_count = retrying(count, retries=retries, backoff=backoff, deadline=deadline,
                                what=f"counting triples at {sparql_http.where} failed", attempts=[0])
    if server_count != expected:
        raise StoreError(f"graph <{graph}> at {where} holds {server_count:,} triples after the push, "
                         f"expected {expected:,}", hint="push again; another client may be writing to it")
    return PushResult(graph=graph, endpoint=where, triples=expected, server_count=server_count, bytes=size,
                      seconds=seconds, attempts=attempts[0], method=used[-1] if used else "PUT")
