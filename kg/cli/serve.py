"""`kg serve`: a SPARQL endpoint over a build's store, in one command (Oxigraph's own server)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click

from ..errors import ArgumentError, StoreError
from ..paths import is_store, store_dir

__all__ = ["find_oxigraph_server", "register", "serve_cmd"]


def find_oxigraph_server() -> str | None:
    """The ``oxigraph`` server binary (PyPI package ``oxigraph``): beside the running Python, or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def _wait_ready(proc: subprocess.Popen[bytes], url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StoreError(f"the oxigraph server exited with status {proc.returncode}",
                             hint="is the port in use? try --port, or see the message above")
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    proc.terminate()
    raise StoreError(f"the oxigraph server did not answer on {url} within {timeout:g} s")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.command("serve")
@click.argument("directory", default="exports", type=click.Path(file_okay=False, dir_okay=True))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 opens it to the network).")
@click.option("--port", "-p", default=7878, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--writable", is_flag=True,
              help="Serve read-write (SPARQL Update and Graph Store writes change the build's store).")
def serve_cmd(directory: str, host: str, port: int, writable: bool) -> None:
    """Start a SPARQL endpoint over DIRECTORY's store (a `kg build` folder); Ctrl-C stops it.

    Runs Oxigraph's server (pip install oxigraph), read-only by default. The
    default graph is the union of all graphs, as in `kg sparql`, so the same
    queries work here, in `kg sparql` and on a server `kg push` wrote to.

    \b
    kg serve exports
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' \\
         http://127.0.0.1:7878/query
    """
    store = store_dir(directory)
    if not is_store(store):
        raise StoreError("no Oxigraph store here", path=store, hint="run `kg build` first")
    binary = find_oxigraph_server()
    if binary is None:
        raise StoreError("no `oxigraph` server binary", hint="pip install oxigraph (or pip install 'kg[test]')")
    if any(c in host for c in "/@ ") or not host:
        raise ArgumentError(f"--host expects an address, got {host!r}", hint="e.g. 127.0.0.1 or 0.0.0.0")
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    cmd = [binary, "serve" if writable else "serve-read-only", "--location", str(store), "--bind", bind,
           "--union-default-graph"]
    shown = f"[{host}]" if ":" in host else ("127.0.0.1" if host in ("0.0.0.0", "") else host)
    url = f"http://{shown}:{port}"
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    # `kill` (SIGTERM) stops the server too, as Ctrl-C does, instead of leaving it running
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        _wait_ready(proc, url)
        mode = "read-write" if writable else "read-only"
        click.echo(f"serving {store} ({mode}); Ctrl-C stops it\n"
                   f"  SPARQL query:  {url}/query\n"
                   + (f"  SPARQL update: {url}/update\n" if writable else "")
                   + f"  Graph Store:   {url}/store\n"
                   f"  web UI:        {url}/")
        proc.wait()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()  # oxigraph may ignore SIGINT when not on a terminal
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if proc.returncode not in (0, -signal.SIGINT, -signal.SIGTERM, 130):
        raise StoreError(f"the oxigraph server exited with status {proc.returncode}")


def register(group: click.Group) -> None:
    """Add ``serve`` to the ``kg`` command group."""
    group.add_command(serve_cmd)
