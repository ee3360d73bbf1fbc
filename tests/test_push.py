"""`kg push` against a real `oxigraph serve` on 127.0.0.1 (failure modes with fakes: tests/test_push_http.py)."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

import kg.store.http
from kg.errors import ArgumentError, InputError, StoreError
from kg.export.rdf import default_graph_iri, graph_to_rdf, write_rdf
from kg.graph import build_graph
from kg.query import KnowledgeGraph
from kg.store import QUERY_PREFIXES, push
from kg.types import Mention, Paper
from tests.helpers import HOSTILE_TITLE, NEIGHBOURS, corpus, one_line_error, require
from tests.oxigraph_server import OxigraphServer, find_oxigraph

pytestmark = [pytest.mark.server,
              pytest.mark.filterwarnings("ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")]

GRAPH = default_graph_iri()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require(find_oxigraph() is not None, "the `oxigraph` server binary (pip install oxigraph)")
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db") as srv:
        yield srv


def _select(srv: OxigraphServer, query: str, **bindings: str) -> list[dict[str, str]]:
    """Run a query on the server; *bindings* go in a VALUES clause as pyoxigraph-serialised literals."""
    import pyoxigraph as ox

    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in QUERY_PREFIXES.items())
    if bindings:
        names = " ".join(f"?{k}" for k in bindings)
        values = " ".join(str(ox.Literal(v)) for v in bindings.values())
        query += f"\nVALUES ({names}) {{ ({values}) }}"
    req = urllib.request.Request(srv.query_url, data=urllib.parse.urlencode({"query": prologue + query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        data = json.load(r)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def _synthetic(n_papers: int):
    """A graph of n_papers papers with a few mentions each (no spaCy), about 60 triples per paper."""
    items = []
    for i in range(n_papers):
        s = f"We apply Method{i % 50} to Task{i % 7} on Data{i % 13}."
        p = Paper(id=f"P-{i:016x}", title=f"Paper {i}", abstract=s)
        ms = [Mention(p.id, "abstract", s.index(t), s.index(t) + len(t), t, ty, s, 0)
              for t, ty in ((f"Method{i % 50}", "method"), (f"Task{i % 7}", "task"), (f"Data{i % 13}", "dataset"))]
        items.append((p, ms, []))
    return build_graph(items)


# ----------------------------------------------------------------------------- against Oxigraph

def test_push_then_push_again_leaves_the_same_triples(server, G, exports):
    n = len(graph_to_rdf(G))
    first = push(exports, server.store_url)
    assert (first.triples, first.server_count, first.method, first.attempts) == (n, n, "POST", 1)
    assert server.count(GRAPH) == n
    second = push(exports, server.store_url)
    assert (second.server_count, second.method) == (n, "difference (SPARQL Update)")  # fast and atomic
    assert server.count(GRAPH) == n
    # the named graph is replaced, not appended to: a smaller graph shrinks it
    small = build_graph(corpus()[:1])
    write_rdf(small, exports / "small.nt", format="ntriples")
    third = push(exports / "small.nt", server.store_url)
    assert server.count(GRAPH) == third.server_count == len(graph_to_rdf(small)) < n
    push(exports, server.store_url)
    assert server.count(GRAPH) == n
    # the faster, non-atomic replacement ends the same
    fast = push(exports / "small.nt", server.store_url, atomic=False)
    assert fast.method == "DELETE+POST" and server.count(GRAPH) == fast.server_count == third.server_count


def test_push_to_another_graph_and_other_inputs(server, G, exports, tmp_path):
    n = len(graph_to_rdf(G))
    g2 = "https://example.org/graphs/kg?v=2&x=<y>"  # '<' is not an IRI character: refused before any request
    with pytest.raises(ArgumentError, match="not a valid absolute IRI"):
        push(exports, server.store_url, graph=g2)
    g2 = "https://example.org/graphs/kg?v=2"
    for source in (exports / "graph.json", exports / "graph.ttl"):
        assert push(source, server.store_url, graph=g2).server_count == n
    write_rdf(G, tmp_path / "g.trig", format="trig")
    assert push(tmp_path / "g.trig", server.store_url, graph=g2).server_count == n
    assert server.count(g2) == n
    with pytest.raises(InputError, match="nothing to push"):
        push(tmp_path, server.store_url)


def test_hostile_title_survives_the_server(server, exports):
    push(exports, server.store_url)
    rows = _select(server, f"SELECT ?t WHERE {{ GRAPH <{GRAPH}> {{ ?p kg:id ?id ; dcterms:title ?t }} }}", id="P-3")
    assert rows == [{"t": HOSTILE_TITLE}]


def test_server_neighbour_query_equals_the_python_api(server, G, exports):
    push(exports, server.store_url)
    kg = KnowledgeGraph(G)
    q = NEIGHBOURS.replace("SELECT DISTINCT ?id WHERE {", f"SELECT DISTINCT ?id WHERE {{ GRAPH <{GRAPH}> {{", 1)
    q = q.replace("} ORDER BY ?id", "} } ORDER BY ?id")
    for name in ("FooNet", "ImageNet", "image classification"):
        node = kg.resolve(name)
        expected = sorted(h.id for h in kg.neighbors(node))
        assert [r["id"] for r in _select(server, q, start=node)] == expected, name


def test_server_stopped_mid_push(server, tmp_path, monkeypatch):
    """Killed after the first chunk: without retries a clear error; with retries the count ends right."""
    big = _synthetic(400)
    path = tmp_path / "big.nt"
    n = write_rdf(big, path, format="ntriples")
    monkeypatch.setattr(kg.store.http, "CHUNK", 64 * 1024)
    assert path.stat().st_size > 4 * 64 * 1024
    graph = "https://example.org/graphs/mid-push"

    def kill_once(state):
        def progress(sent, total):
            if not state:
                state.append(sent)
                server.stop(kill=True)
        return progress

    with pytest.raises(StoreError) as err:
        push(path, server.store_url, graph=graph, retries=0, progress=kill_once([]))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"push to {server.store_url} failed")
    assert any(w in msg for w in ("connection lost", "connection refused", "timed out"))

    server.start()
    restarter = []

    def progress(sent, total):
        if not restarter:
            server.stop(kill=True)
            t = threading.Timer(0.5, server.start)
            t.start()
            restarter.append(t)

    result = push(path, server.store_url, graph=graph, retries=6, backoff=0.2, progress=progress)
    restarter[0].join(timeout=30)
    assert result.attempts >= 2
    assert result.server_count == result.triples == n
    assert server.count(graph) == n


def test_cli_push_reports_the_count(server, G, exports):
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["push", str(exports), "--endpoint", server.store_url])
    assert result.exit_code == 0, result.output
    assert f"the server counts {len(graph_to_rdf(G)):,} triples" in result.output


def test_http_error_is_one_line_nonzero(server, exports):
    out = one_line_error([str(exports), "-e", f"{server.url}/no-such-endpoint", "--retries", "0"])
    assert "HTTP 404" in out


# ----------------------------------------------------------------------------- kg serve

@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_kg_serve_answers_sparql_and_stops_cleanly(tmp_path, G, signame):
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) both stop kg serve and its Oxigraph server."""
    import signal
    import subprocess
    import sys
    import time

    from kg.store import build_store
    from tests.oxigraph_server import free_port

    require(find_oxigraph() is not None, "the `oxigraph` server binary (pip install oxigraph)")
    build_store(G, tmp_path / "store")
    port = free_port()
    # Ctrl-C reaches a command at a terminal, even when pytest runs in the background (SIGINT ignored)
    main = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); from kg.cli import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", main, "serve", str(tmp_path), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]  # oxigraph's own "Listening ..." may come first
        first = next((x for x in lines if x.startswith("serving ")), lines)
        assert "read-only" in first, lines
        assert f"http://127.0.0.1:{port}/query" in "".join(lines) + proc.stdout.readline()
        q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # the union default graph, as in kg sparql
        req = urllib.request.Request(f"http://127.0.0.1:{port}/query",
                                     data=urllib.parse.urlencode({"query": q}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert int(json.load(r)["results"]["bindings"][0]["n"]["value"]) == len(graph_to_rdf(G))
        t0 = time.monotonic()
        proc.send_signal(getattr(signal, signame))
        proc.wait(timeout=20)
        assert time.monotonic() - t0 < 15
        with pytest.raises(OSError):  # the Oxigraph server went with it (URLError is an OSError)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=5)
        assert "Traceback" not in proc.stdout.read()  # EOF only once the server has gone too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------- against Virtuoso

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    from tests.virtuoso_server import VirtuosoServer, find_virtuoso

    require(find_virtuoso() is not None, "Virtuoso's `virtuoso-t` (apt-get install virtuoso-opensource)")
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso") / "db") as srv:
        yield srv


def test_virtuoso_push_with_digest_then_again(virtuoso, G, exports):
    n = len(graph_to_rdf(G))
    auth = (virtuoso.user, virtuoso.password)
    first = push(exports, virtuoso.store_url, credentials=auth)
    assert first.server_count == n and virtuoso.count(GRAPH) == n
    second = push(exports, virtuoso.store_url, credentials=auth)
    assert second.server_count == n and second.method == "DELETE+POST" and virtuoso.count(GRAPH) == n


def test_virtuoso_refusals_name_the_reason(virtuoso, exports, monkeypatch):
    monkeypatch.delenv("KG_SPARQL_USER", raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent")
    out = one_line_error([str(exports), "-e", virtuoso.open_store_url])
    assert "permission denied" in out and "SQ110:SECURITY" in out
    monkeypatch.setenv("KG_SPARQL_USER", "dba")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", "wrong")
    out = one_line_error([str(exports), "-e", virtuoso.store_url])
    assert "authentication failed" in out and "connection lost" not in out


# ----------------------------------------------------------------------------- the README's queries

def _run(query_url: str, query: str, auth: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """A documented query (it declares its own prefixes), unchanged, over the SPARQL protocol."""
    req = urllib.request.Request(query_url, data=urllib.parse.urlencode({"query": query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        data = json.load(r)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def _check_documented_queries(query_url: str, G) -> int:
    """kg.export.rdf.queries on a server that holds G's push answer like the Python API, for every entity."""
    from kg.export.rdf.queries import NEIGHBOURS as DOC_NEIGHBOURS
    from kg.export.rdf.queries import PAPERS, RELATED, for_entity

    api = KnowledgeGraph(G)
    entities = [n for n, kind in G.nodes(data="kind") if kind == "entity"]
    for e in entities:
        assert [r["id"] for r in _run(query_url, for_entity(DOC_NEIGHBOURS, e))] == \
            sorted(h.id for h in api.neighbors(e)), e
        assert [(r["id"], r["role"], int(r["mentions"])) for r in _run(query_url, for_entity(PAPERS, e))] == \
            [(h.id, h.role, int(h.score)) for h in api.papers(e)], e
        assert [(r["id"], int(r["papers"])) for r in _run(query_url, for_entity(RELATED, e))] == \
            [(h.id, int(h.score)) for h in api.related(e)], e
    return len(entities)


def test_readme_queries_on_oxigraph_after_a_push(G, exports, tmp_path):
    # As the README says: a plain `oxigraph serve` with --union-default-graph, then `kg push`.
    require(find_oxigraph() is not None, "the `oxigraph` server binary (pip install oxigraph)")
    with OxigraphServer(tmp_path / "db", union_default_graph=True) as srv:
        push(exports, srv.store_url)
        assert _check_documented_queries(srv.query_url, G) >= 5


def test_readme_queries_on_virtuoso_after_a_push(virtuoso, G, exports):
    push(exports, virtuoso.store_url, credentials=(virtuoso.user, virtuoso.password))
    assert _check_documented_queries(virtuoso.query_url, G) >= 5


@pytest.mark.slow
def test_seed_export_pushed_twice_with_defaults_to_both_servers(seed_build, virtuoso, tmp_path):
    # The issue's case: the seed export, pushed twice with default settings, leaves exactly its triples.
    out = seed_build[1]
    from kg.export.json import read_graph

    n = write_rdf(read_graph(out / "graph.json"), tmp_path / "seed.nt", format="ntriples")  # graph.ttl's triples
    auth = (virtuoso.user, virtuoso.password)
    with OxigraphServer(tmp_path / "db") as srv:
        for _ in range(2):
            assert push(out, srv.store_url).server_count == n
        assert srv.count(GRAPH) == n
    for _ in range(2):
        assert push(out, virtuoso.store_url, credentials=auth).server_count == n
    assert virtuoso.count(GRAPH) == n
