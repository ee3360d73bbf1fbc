"""A lock that keeps two ``kg build`` runs out of one output folder at the same time.

An exclusive, non-blocking ``flock`` on a small hidden file: the second build stops at once with a
message naming the folder and the process that holds it. The operating system drops the lock when
the holder exits, however it exits (SIGKILL included), so a stale lock never blocks a later build.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / ".exports.lock"
>>> with FolderLock(path, what="exports"):
...     with FolderLock(path, what="exports"):
...         pass
Traceback (most recent call last):
kg.errors.ExportError: another kg build (process ...) is writing exports (wait for it to finish, ...)
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Self

try:
    import fcntl
except ImportError:  # Windows: no lock (one build per folder is then the user's care)
    fcntl = None  # type: ignore[assignment]

from .errors import ExportError

__all__ = ["FolderLock"]


class FolderLock:
    """Hold an exclusive lock on *path* (created if needed) while the ``with`` block runs.

    Raises :class:`~kg.errors.ExportError` at once if another process holds it.
    """

    def __init__(self, path: str | os.PathLike[str], *, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> Self:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ExportError(f"cannot write here ({exc.strerror})", path=self.path.parent,
                              hint="choose another output folder with -o") from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise ExportError(f"another kg build (process {holder}) is writing {self.what}",
                                  hint="wait for it to finish, or build into another folder with -o") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
