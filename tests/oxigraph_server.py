"""A real ``oxigraph serve`` on 127.0.0.1 for tests and the bench: start, stop, restart, bounded waits."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["LocalServer", "OxigraphServer", "count_triples", "find_oxigraph", "free_port"]


def find_oxigraph() -> str | None:
    """The ``oxigraph`` binary: beside the running Python (a venv's bin/), or on PATH."""
    from kg.cli.serve import find_oxigraph_server

    return find_oxigraph_server()


def count_triples(query_url: str, graph: str, timeout: float = 60) -> int:
    """Triples in *graph* at a SPARQL endpoint (for assertions; *graph* is a trusted test IRI)."""
    import json
    import urllib.parse

    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    req = urllib.request.Request(query_url, data=urllib.parse.urlencode({"query": q}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """A server process on 127.0.0.1 that a test starts and stops: spawn, wait until its SPARQL
    endpoint answers (bounded), stop (terminate, then kill), count a graph's triples."""

    name = "server"
    proc: subprocess.Popen[bytes] | None = None
    port: int
    query_url: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, cmd: list[str], *, timeout: float, poll: float, cwd: Path | None = None) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.log.read_text()[-800:]}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(poll)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {timeout} s")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, *, kill: bool = False, grace: float = 15) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None

    def count(self, graph: str) -> int:
        """Triples in *graph*."""
        return count_triples(self.query_url, graph)

    def start(self, timeout: float = 20.0) -> LocalServer:
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OxigraphServer(LocalServer):
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT``; the same port across restarts."""

    def __init__(self, location: str | os.PathLike[str], *, binary: str | None = None,
                 port: int | None = None, union_default_graph: bool = False) -> None:
        self.binary = binary or find_oxigraph()
        if self.binary is None:
            raise FileNotFoundError("no `oxigraph` binary (pip install oxigraph)")
        self.location = Path(location)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.location.with_name(self.location.name + ".log")
        self.union_default_graph = union_default_graph

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    name = "oxigraph"

    def start(self, timeout: float = 20.0) -> OxigraphServer:
        if not self.running():
            self._spawn([self.binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
                         *(["--union-default-graph"] if self.union_default_graph else [])],
                        timeout=timeout, poll=0.05)
        return self
