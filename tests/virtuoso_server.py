"""A real Virtuoso (Debian's ``virtuoso-opensource``) on 127.0.0.1 for tests and the bench: fresh db, dba/dba.

Each :class:`VirtuosoServer` writes its own ``virtuoso.ini`` in a temp folder (database, log and
lock files there, free ports, ``DirsAllowed`` limited to it) and runs ``virtuoso-t -f`` on it;
a fresh database's ``dba`` password is ``dba``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.oxigraph_server import LocalServer, free_port

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


class VirtuosoServer(LocalServer):
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

    name = "virtuoso-t"

    def start(self, timeout: float = 90.0) -> VirtuosoServer:
        if not self.running():
            self.location.mkdir(parents=True, exist_ok=True)
            (self.location / "vsp").mkdir(exist_ok=True)
            ini = self.location / "virtuoso.ini"
            ini.write_text(_INI.format(d=self.location, sql_port=self.sql_port, http_port=self.port))
            self.log = self.location / "stdout.log"
            self._spawn([self.binary, "-f", "-c", str(ini)], timeout=timeout, poll=0.2, cwd=self.location)
        return self

    def stop(self, *, kill: bool = False, grace: float = 30) -> None:
        super().stop(kill=kill, grace=grace)
