"""A real ``oxigraph serve`` on 127.0.0.1 for tests and the bench: start, stop, restart, bounded waits."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["OxigraphServer", "count_triples", "find_oxigraph", "free_port"]


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


class OxigraphServer:
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
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def start(self, timeout: float = 20.0) -> OxigraphServer:
        if self.proc is not None and self.proc.poll() is None:
            return self
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
                 *(["--union-default-graph"] if self.union_default_graph else [])],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.proc.returncode}: {self.log.read_text()[-500:]}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer on {self.url} within {timeout} s")

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None

    def count(self, graph: str) -> int:
        """Triples in *graph*."""
        return count_triples(self.query_url, graph)

    def __enter__(self) -> OxigraphServer:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
