"""A real Virtuoso (Debian's ``virtuoso-opensource``) on 127.0.0.1 for tests and the bench: fresh db, dba/dba.

Each :class:`VirtuosoServer` writes its own ``virtuoso.ini`` in a temp folder (database, log and
lock files there, free ports, ``DirsAllowed`` limited to it) and runs ``virtuoso-t -f`` on it;
a fresh database's ``dba`` password is ``dba``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.oxigraph_server import count_triples, free_port

__all__ = ["VirtuosoServer", "find_virtuoso"]

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = ., {d}
NumberOfBuffers = 60000
MaxDirtyBuffers = 45000
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/vsp
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 600
"""


def find_virtuoso() -> str | None:
    """The ``virtuoso-t`` binary (Debian installs it as /usr/bin/virtuoso-t)."""
    return shutil.which("virtuoso-t") or next(
        (p for p in ("/usr/bin/virtuoso-t", "/usr/local/bin/virtuoso-t") if os.access(p, os.X_OK)), None)


class VirtuosoServer:
    """``virtuoso-t -f -c DIR/virtuoso.ini`` on free 127.0.0.1 ports; user dba, password dba."""

    user = password = "dba"

    def __init__(self, location: str | os.PathLike[str], *, binary: str | None = None) -> None:
        self.binary = binary or find_virtuoso()
        if self.binary is None:
            raise FileNotFoundError("no `virtuoso-t` binary (apt-get install virtuoso-opensource)")
        self.location = Path(location)
        self.port = free_port()
        self.sql_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store_url(self) -> str:
        """The Graph Store endpoint that takes Digest auth."""
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def open_store_url(self) -> str:
        """The Graph Store endpoint without auth (anonymous may not write on a stock server)."""
        return f"{self.url}/sparql-graph-crud"

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql"

    def start(self, timeout: float = 90.0) -> VirtuosoServer:
        if self.proc is not None and self.proc.poll() is None:
            return self
        self.location.mkdir(parents=True, exist_ok=True)
        (self.location / "vsp").mkdir(exist_ok=True)
        ini = self.location / "virtuoso.ini"
        ini.write_text(_INI.format(d=self.location, sql_port=self.sql_port, http_port=self.port))
        self.log = self.location / "stdout.log"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "-f", "-c", str(ini)], cwd=self.location,
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.proc.returncode}: {self.log.read_text()[-800:]}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"virtuoso did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None

    def count(self, graph: str) -> int:
        """Triples in *graph*."""
        return count_triples(self.query_url, graph)

    def __enter__(self) -> VirtuosoServer:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
