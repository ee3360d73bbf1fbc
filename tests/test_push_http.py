"""`kg push` failure modes against in-process fakes: refused ports, silent sockets, scripted HTTP answers.

These cause faults a real server will not (401s, 503s, a server that never answers) and need no
Oxigraph binary; tests/test_push.py pushes to a real one.
"""

from __future__ import annotations

import base64
import http.server
import socket
import threading
import time
from typing import ClassVar

import pytest

from kg.errors import ArgumentError, StoreError
from kg.store import push, query_endpoint_for
from tests.helpers import one_line_error
from tests.oxigraph_server import free_port


def test_unreachable_server_is_one_line_nonzero(exports):
    port = free_port()  # nothing listens here
    out = one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--retries", "1",
                           "--backoff", "0.05"])
    assert "connection refused" in out and "after 2 attempts" in out


def test_timeout_is_one_line_nonzero(exports):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        t0 = time.monotonic()
        out = one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--timeout", "0.3",
                               "--retries", "1", "--backoff", "0.05"])
        assert time.monotonic() - t0 < 10
    assert "did not finish within the 0.3 s deadline" in out


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
    out = one_line_error([str(exports), "-e", f"http://127.0.0.1:{port}/store", "--retries", "0"])
    assert "authentication failed" in out and "HTTP 401" in out and "KG_SPARQL_USER" in out
    assert secret not in out and base64.b64encode(f"alice:{secret}".encode()).decode() not in out
    # sent only when asked: the first request goes without, the 401 is answered once, then reported
    assert _Recorder.seen[:2] == [None, "Basic " + base64.b64encode(f"alice:{secret}".encode()).decode()]
    assert len(_Recorder.seen) == 2


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
    assert _Recorder.seen[1] == "Basic " + base64.b64encode(b"bob:n3tRcPw").decode()
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
    assert len(_Recorder.seen) == 5 and "who are you?; second line" in str(err.value)  # one line, whole reason


def test_query_endpoint_guesses():
    assert query_endpoint_for("http://127.0.0.1:7878/store") == "http://127.0.0.1:7878/query"
    assert query_endpoint_for("https://u:p@h/fuseki/ds/data/") == "https://u:p@h/fuseki/ds/query"
    assert query_endpoint_for("http://h/other") == "http://h/other"


def test_bad_endpoint_or_graph_is_an_argument_error(exports):
    with pytest.raises(ArgumentError, match="not an http\\(s\\) URL: 'ftp://127.0.0.1/store'"):
        push(exports, "ftp://u:pw@127.0.0.1/store")
    with pytest.raises(ArgumentError, match="not a valid absolute IRI"):
        push(exports, "http://127.0.0.1:1/store", graph="no iri")


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Answers HEAD with 404, then takes the body and trickles its answer a byte every 0.2 s."""

    def do_HEAD(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            remaining -= len(self.rfile.read(min(remaining, 65536)))
        try:
            for b in b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n":
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_timeout_bounds_a_trickling_server(exports):
    """--timeout is a deadline for the whole push: a server trickling its answer cannot hold it."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        t0 = time.monotonic()
        out = one_line_error([str(exports), "-e", f"http://127.0.0.1:{httpd.server_address[1]}/store",
                               "--timeout", "1.5", "--retries", "3", "--backoff", "0.05"])
        assert time.monotonic() - t0 < 4
        assert "did not finish within the 1.5 s deadline" in out
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Digest(http.server.BaseHTTPRequestHandler):
    """A Digest-only server (like Virtuoso's /sparql-graph-crud-auth): checks the response, records the methods."""

    nonce = "abc123"
    log: ClassVar[list[tuple[str, bool]]] = []
    reject_mid_upload = True

    def _ok(self) -> bool:
        import hashlib
        import re as _re

        auth = self.headers.get("Authorization") or ""
        f = dict(_re.findall(r'(\w+)="?([^",]*)"?', auth))
        if not auth.startswith("Digest ") or f.get("username") != "dba":
            return False
        h = lambda s: hashlib.md5(s.encode()).hexdigest()
        ha1, ha2 = h("dba:SPARQL:dba"), h(f"{self.command}:{f['uri']}")
        return f["response"] == h(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:auth:{ha2}") and f["uri"] == self.path

    def _answer(self):
        ok = self._ok()
        type(self).log.append((self.command, ok))
        if not ok:
            if self.command in ("POST", "PUT") and type(self).reject_mid_upload:
                self.rfile.read(1024)  # read a little, answer 401 and close mid-upload
            body = b"<html><title>401</title><body><h1>HTTP/1.1 401 Unauthorized</h1>who?\x1b[2J</body></html>"
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Digest realm="SPARQL", nonce="{self.nonce}", qop="auth", '
                                                 'algorithm="MD5", opaque="xyz"')
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            remaining -= len(self.rfile.read(min(remaining, 65536)))
        if self.command == "POST" and self.path.startswith("/sparql-auth"):
            body = b'{"results": {"bindings": [{"n": {"value": "%d"}}]}}' % type(self).count
        else:
            body = b""
        status = {"HEAD": 404, "DELETE": 404}.get(self.command, 201 if self.command == "POST" else 200)
        self.send_response(200 if self.path.startswith("/sparql-auth") else status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_PUT = do_POST = do_GET = do_DELETE = _answer

    def log_message(self, *args):
        pass


def test_digest_auth_answers_the_challenge_before_the_body(exports, G):
    """Before: kg sent Basic only, the server answered 401 mid-upload, kg said "connection lost"."""
    from kg.export.rdf import graph_to_rdf

    _Digest.log = []
    _Digest.count = len(graph_to_rdf(G))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Digest)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sparql-graph-crud-auth"
        result = push(exports, url, credentials=("dba", "dba"), retries=0)
        assert result.server_count == _Digest.count
        # the 401 came on the bodiless HEAD; the body was sent once, with a valid Digest answer
        assert [m for m, ok in _Digest.log if m == "POST" and not ok] == []
        assert ("POST", True) in _Digest.log
        _Digest.log = []
        with pytest.raises(StoreError, match="authentication failed") as err:
            push(exports, url, credentials=("dba", "wrong"), retries=3, backoff=0.01)
        assert "connection lost" not in str(err.value) and "\x1b" not in str(err.value)
        assert len(_Digest.log) == 2  # asked once, answered once, never retried
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_malformed_endpoints_are_one_line_errors(exports):
    for endpoint in ("http://[::1", "http://127.0.0.1:99999/store", "http://h\x1b[31m:1/store"):
        out = one_line_error([str(exports), "-e", endpoint])
        assert "Traceback" not in out and "\x1b" not in out


def test_empty_graph_is_an_error_not_the_default_graph(exports):
    out = one_line_error([str(exports), "-e", "http://127.0.0.1:1/store", "--graph", ""])
    assert "graph IRI is empty" in out


def test_a_password_with_a_slash_is_never_printed():
    # The user:password of a URL that fails to parse was stripped up to the first "/" only.
    out = one_line_error(["x.nt", "-e", "http://alice:pa/ss@127.0.0.1:99999/store"])
    assert "pa/ss" not in out and "alice" not in out


@pytest.mark.parametrize("user", ['al\nice', 'al"ice', "al\\ice"])
def test_digest_refuses_a_user_name_a_header_cannot_carry(user):
    # A newline in the user name made http.client raise ValueError with the whole Digest header
    # (user, nonce, response) in the traceback.
    from kg.store.http import Fatal, digest_authorization

    with pytest.raises(Fatal) as info:
        digest_authorization({"realm": "r", "nonce": "n", "qop": "auth"}, "PUT", "/store", user, "s3cret", 1)
    assert user not in str(info.value) and "s3cret" not in str(info.value)
