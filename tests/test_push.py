"""`kg push` against a real `oxigraph serve` on 127.0.0.1, plus failure modes against tiny fake servers."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from typing import ClassVar

import pytest
from click.testing import CliRunner

import kg.store
from kg.errors import InputError, StoreError
from kg.export.json import write_graph
from kg.export.rdf import default_graph_iri, graph_to_rdf, write_rdf
from kg.graph import build_graph
from kg.query import KnowledgeGraph
from kg.store import push, query_endpoint_for
from kg.types import Mention, Paper
from tests.conftest import require
from tests.oxigraph_server import OxigraphServer, find_oxigraph, free_port
from tests.test_rdf import HOSTILE_TITLE, corpus
from tests.test_store import NEIGHBOURS

pytestmark = [pytest.mark.server,
              pytest.mark.filterwarnings("ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")]

GRAPH = default_graph_iri()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require(find_oxigraph() is not None, "the `oxigraph` server binary (pip install oxigraph)")
    srv = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def G():
    return build_graph(corpus())


@pytest.fixture(scope="module")
def exports(G, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    write_graph(G, out / "graph.json")
    write_rdf(G, out / "graph.ttl")
    return out


def _select(srv: OxigraphServer, query: str, **bindings: str) -> list[dict[str, str]]:
    """Run a query on the server; *bindings* go in a VALUES clause as pyoxigraph-serialised literals."""
    import pyoxigraph as ox

    from kg.store import QUERY_PREFIXES

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
    assert (second.server_count, second.method) == (n, "PUT")
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
    with pytest.raises(StoreError, match="not a valid absolute IRI"):
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
    monkeypatch.setattr(kg.store, "_CHUNK", 64 * 1024)
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


# ----------------------------------------------------------------------------- failure modes


def _one_line_error(args):
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["push", *args])
    assert result.exit_code != 0
    assert result.output.startswith("kg: error: ") and result.output.count("\n") == 1, result.output
    return result.output


def test_unreachable_server_is_one_line_nonzero(exports):
    port = free_port()  # nothing listens here
    out = _one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--retries", "1",
                           "--backoff", "0.05"])
    assert "connection refused" in out and "after 2 attempts" in out


def test_http_error_is_one_line_nonzero(server, exports):
    out = _one_line_error([str(exports), "-e", f"{server.url}/no-such-endpoint", "--retries", "0"])
    assert "HTTP 404" in out


def test_timeout_is_one_line_nonzero(exports):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        t0 = time.monotonic()
        out = _one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--timeout", "0.3",
                               "--retries", "1", "--backoff", "0.05"])
        assert time.monotonic() - t0 < 10
    assert "timed out after 0.3 s" in out


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A fake server: answers every request with the status in `status`, records the auth headers."""

    status = 401
    seen: ClassVar[list[str | None]] = []

    def _answer(self):
        type(self).seen.append(self.headers.get("Authorization"))
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining > 0:
            remaining -= len(self.rfile.read(min(remaining, 65536)))
        body = b"Unauthorized: who are you?\nsecond line"
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_PUT = do_POST = do_GET = _answer

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake_server():
    _Recorder.seen = []
    _Recorder.status = 401
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_credentials_from_env_are_sent_and_never_printed(fake_server, exports, monkeypatch):
    secret = "s3cr3t-Pa55\"word"
    monkeypatch.setenv("KG_SPARQL_USER", "alice")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", secret)
    port = fake_server.server_address[1]
    out = _one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--retries", "0"])
    assert "HTTP 401" in out and "KG_SPARQL_USER" in out
    assert secret not in out and base64.b64encode(f"alice:{secret}".encode()).decode() not in out
    assert _Recorder.seen[0] == "Basic " + base64.b64encode(f"alice:{secret}".encode()).decode()


def test_credentials_from_netrc_and_url_are_never_printed(fake_server, exports, monkeypatch, tmp_path):
    monkeypatch.delenv("KG_SPARQL_USER", raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login bob password n3tRcPw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    port = fake_server.server_address[1]
    with pytest.raises(StoreError) as err:
        push(exports, f"http://127.0.0.1:{port}/store", retries=0)
    assert "n3tRcPw" not in str(err.value)
    assert _Recorder.seen[0] == "Basic " + base64.b64encode(b"bob:n3tRcPw").decode()
    with pytest.raises(StoreError) as err:
        push(exports, f"http://carol:urlPw@127.0.0.1:{port}/store", retries=0)
    assert "urlPw" not in str(err.value) and "carol" not in str(err.value)
    assert _Recorder.seen[-1] == "Basic " + base64.b64encode(b"carol:urlPw").decode()


def test_server_errors_are_retried_then_reported(fake_server, exports):
    _Recorder.status = 503
    port = fake_server.server_address[1]
    with pytest.raises(StoreError, match="failed after 3 attempts: HEAD answered HTTP 503"):
        push(exports, f"http://127.0.0.1:{port}/store", retries=2, backoff=0.01)
    assert len(_Recorder.seen) == 3  # three HEADs, each answered 503
    # not transient: reported at once, with the server's first line (HEAD failed, so kg tried PUT)
    _Recorder.status = 400
    with pytest.raises(StoreError, match="failed: PUT answered HTTP 400: Unauthorized: who are you\\?") as err:
        push(exports, f"http://127.0.0.1:{port}/store", retries=2, backoff=0.01)
    assert len(_Recorder.seen) == 5 and "second line" not in str(err.value)


def test_query_endpoint_guesses():
    assert query_endpoint_for("http://127.0.0.1:7878/store") == "http://127.0.0.1:7878/query"
    assert query_endpoint_for("https://u:p@h/fuseki/ds/data/") == "https://u:p@h/fuseki/ds/query"
    assert query_endpoint_for("http://h/other") == "http://h/other"
