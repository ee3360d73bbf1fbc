"""Pushes to SPARQL servers: replace one named graph with an export, then check the count.

:func:`push` uploads an export to any server that speaks the SPARQL 1.1 Graph
Store HTTP Protocol (Oxigraph, Fuseki, GraphDB, Virtuoso) and never touches the
embedded store. It resolves what to send (an export folder or an RDF file,
turned into N-Triples or Turtle), counts its distinct triples, uploads it with
retries (:mod:`kg.store.http`), and asks the server's query endpoint for the
count afterwards.

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
from .http import RETRY_STATUS, Fatal, HttpClient, auth_header, http_error, retrying
from .local import RDF_SUFFIXES

__all__ = ["PushResult", "push", "query_endpoint_for"]


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
    ArgumentError
        *endpoint* is not an http(s) URL, or *graph* not an absolute IRI.
    InputError
        *source* is missing, not RDF, or a folder with nothing to push.
    StoreError
        Unreachable server, HTTP error, timeout, or a count that does not match.
    """
    graph = graph or default_graph_iri(base_iri)
    try:
        graph_term = ox.NamedNode(graph)
    except ValueError as exc:
        raise ArgumentError(f"graph {graph!r} is not a valid absolute IRI ({exc})") from None
    auth = auth_header(endpoint, credentials)
    gsp = HttpClient(endpoint, timeout=timeout, auth=auth)
    qurl = query_endpoint or query_endpoint_for(endpoint)
    sparql_http = HttpClient(qurl, timeout=timeout, auth=auth_header(qurl, credentials) or auth)
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
                    raise http_error(status, body, "DELETE")
                status, deleted = 404, True
            if status in (200, 204):
                method = "PUT"
            elif status == 404:
                method = "POST"
                if oxigraph:
                    # Oxigraph loads a new graph ~2.5x faster without a transaction; if the load
                    # breaks off, the retry finds the partial graph and replaces it
                    params["no_transaction"] = ""
            elif status in RETRY_STATUS:
                raise http_error(status, body, "HEAD")
            else:  # a server without HEAD support: PUT always replaces
                method = "PUT"
            with open(path, "rb") as f:
                status, body, _ = gsp.request(method, params, body=f, size=size,
                                           headers={"Content-Type": f"{media_type}; charset=utf-8"},
                                           progress=progress)
            if status not in (200, 201, 204):
                raise http_error(status, body, method)
            used.append("DELETE+POST" if deleted else method)

        retrying(upload, retries=retries, backoff=backoff, what=f"push to {where} failed", attempts=attempts)
        seconds = time.perf_counter() - t0
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph_term} {{ ?s ?p ?o }} }}"

        def count() -> int:
            status, body, _ = sparql_http.request(
                "POST", body=urllib.parse.urlencode({"query": query}).encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/sparql-results+json"})
            if status != 200:
                raise http_error(status, body, "the count query")
            try:
                return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
            except (ValueError, KeyError, IndexError, TypeError):
                raise Fatal("unexpected answer to the count query "
                             "(use --query-endpoint to name the SPARQL query endpoint)") from None

        server_count = retrying(count, retries=retries, backoff=backoff,
                                 what=f"counting triples at {sparql_http.where} failed", attempts=[0])
    if server_count != expected:
        raise StoreError(f"graph <{graph}> at {where} holds {server_count:,} triples after the push, "
                         f"expected {expected:,}", hint="push again; another client may be writing to it")
    return PushResult(graph=graph, endpoint=where, triples=expected, server_count=server_count, bytes=size,
                      seconds=seconds, attempts=attempts[0], method=used[-1] if used else "PUT")

