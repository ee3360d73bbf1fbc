"""A build's output set: written aside, then swapped in whole, so readers see all old or all new.

``kg build -o DIR`` writes ``graph.json``, ``graph.ttl``, ``graph.html`` and ``store/`` into a
sibling folder ``.DIR.new-XXXX`` and, once every file is complete, exchanges it with ``DIR`` in one
``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two renames, between which ``DIR`` is briefly
absent, never mixed). Other files in ``DIR`` (``kg export``'s ``graph.nt``, your notes) are carried
into the new folder as hard links, and so is the lock file ``DIR/.kg.lock``. Until the swap the old set is untouched: an error, Ctrl-C or
SIGKILL leaves it as it was, and the next build removes what the dead one left behind.

Where ``DIR`` cannot be swapped (it is a mount point, the current folder or one of its parents, or
its parent folder is not writable) the set is staged in ``DIR/.kg-new-XXXX`` and its files are
renamed into place one after the other, ``graph.json`` last.

A lock (:class:`~kg._lock.FolderLock` on ``DIR/.kg.lock``, the same inode in every set since it
is carried as a hard link) keeps a second build out of ``DIR`` while one runs.

>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "exports"
>>> with OutputSet(out) as outputs:
...     _ = (outputs.stage / "graph.json").write_text("{}")
...     outputs.commit()
>>> sorted(p.name for p in out.iterdir())
['.kg.lock', 'graph.json']
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from ._lock import FolderLock
from .errors import ExportError
from .paths import GRAPH_HTML, GRAPH_JSON, GRAPH_TTL, REPORT_HTML, STORE_DIR, is_store

__all__ = ["LOCK_FILE", "OUTPUTS", "OutputSet"]

#: The lock of an output folder, inside it (see :class:`~kg._lock.FolderLock`).
LOCK_FILE = ".kg.lock"

#: What a build writes; these names are never carried over from the old set. graph.json goes last.
OUTPUTS = (STORE_DIR, REPORT_HTML, GRAPH_HTML, GRAPH_TTL, GRAPH_JSON)
#: Temp names kg's writers use inside an output folder (atomic_write, build_store, in-place staging).
_TEMP_GLOBS = (".graph.*.tmp", ".store.*.tmp", ".store.old-*", ".kg-new-*", ".kg-old-*")

_HINT = "choose another output folder with -o"


class OutputSet:
    """Stage a build's outputs for *out* and swap them in with :meth:`commit`.

    Entering checks the location (so a bad ``-o`` fails before extraction), takes the lock,
    removes leftovers of killed builds and creates :attr:`stage`, the folder to write into.
    Leaving without :meth:`commit` removes the stage and keeps the old set.
    """

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        self.stage: Path = self.out
        self._swap = False
        self._lock: FolderLock | None = None

    # --- opening ---------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        try:
            self._check_location()
        except OSError as exc:  # a folder on the way that cannot be searched
            raise ExportError(f"cannot reach the output folder ({exc.strerror})", path=self.out, hint=_HINT) from None
        real = Path(os.path.realpath(self.out))
        _recover(real)
        _mkdir(real)
        self._real = real
        self._swap = self._swappable(real)
        # The lock file is carried into every new set as a hard link: one inode for all builds of DIR.
        self._lock = FolderLock(real / LOCK_FILE, what=str(self.out)).acquire()
        try:
            _remove_leftovers(real)
            where, prefix = (real.parent, f".{real.name}.new-") if self._swap else (real, ".kg-new-")
            try:
                self.stage = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
                if self._swap:  # the swapped-in folder keeps the old one's mode (mkdtemp's is 0700)
                    self.stage.chmod(real.stat().st_mode & 0o7777)
            except OSError as exc:
                raise ExportError(f"cannot write here ({exc.strerror})", path=self.out, hint=_HINT) from None
        except BaseException:
            self._lock.release()
            raise
        return self

    def _check_location(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise ExportError("is a file, not a folder", path=out, hint=_HINT)
        for name in (GRAPH_JSON, GRAPH_TTL, GRAPH_HTML):
            path = out / name
            if path.exists() and not path.is_file():
                raise ExportError(f"{name} here is not a file; refusing to replace it", path=path,
                                  hint="move it away, or " + _HINT)
        store = out / STORE_DIR
        if store.exists() and not is_store(store) and (not store.is_dir() or any(store.iterdir())):
            raise ExportError("exists and is not an Oxigraph store; refusing to replace it", path=store,
                              hint="move it away, or " + _HINT)

    @staticmethod
    def _swappable(real: Path) -> bool:
        """Whether the whole folder can be exchanged: not a mount point, not the current folder
        or one of its parents, and its parent folder is writable."""
        if real.parent == real or os.path.ismount(real) or not os.access(real.parent, os.W_OK | os.X_OK):
            return False
        cwd = os.path.realpath(os.getcwd())
        return not (cwd == str(real) or cwd.startswith(str(real) + os.sep))

    # --- closing ---------------------------------------------------------------------------------
    def commit(self) -> None:
        """Make the staged set the output set: one exchange (or renames, see the module doc)."""
        if self._swap:
            self._commit_swap()
        else:
            self._commit_in_place()

    def _commit_swap(self) -> None:
        real, stage = self._real, self.stage
        _carry_over(real, stage)
        if _exchange(stage, real):
            shutil.rmtree(stage, ignore_errors=True)  # the old set, now under the stage's name
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=real.parent))
            os.replace(real, old)  # DIR is absent (never mixed) until the next line
            os.replace(stage, real)
            shutil.rmtree(old, ignore_errors=True)
        self.stage = real

    def _commit_in_place(self) -> None:
        real, stage = self._real, self.stage
        old = Path(tempfile.mkdtemp(prefix=".kg-old-", dir=real))
        moved_old: list[str] = []
        moved_new: list[str] = []
        try:
            for name in OUTPUTS:
                if os.path.lexists(real / name):
                    os.replace(real / name, old / name)
                    moved_old.append(name)
            for name in OUTPUTS:
                if os.path.lexists(stage / name):
                    os.replace(stage / name, real / name)
                    moved_new.append(name)
        except BaseException:  # put the old set back as it was
            for name in moved_new:
                with contextlib.suppress(OSError):
                    os.replace(real / name, stage / name)
            for name in moved_old:
                with contextlib.suppress(OSError):
                    os.replace(old / name, real / name)
            with contextlib.suppress(OSError):
                old.rmdir()
            raise
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)
        self.stage = real

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.stage != getattr(self, "_real", None):
                shutil.rmtree(self.stage, ignore_errors=True)
        finally:
            if self._lock is not None:
                self._lock.release()


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the output folder ({exc.strerror})", path=path, hint=_HINT) from None


def _recover(real: Path) -> None:
    """A build killed between its two fallback renames left DIR absent and the old set aside: put it back."""
    if os.path.lexists(real):
        return
    with contextlib.suppress(OSError):  # another build may be recovering it at the same moment
        olds = sorted(real.parent.glob(f".{real.name}.old-*"), key=lambda p: p.stat().st_mtime)
        if olds:
            os.replace(olds[-1], real)


def _restore_in_place(real: Path) -> None:
    """A build killed while renaming its files into place left the old set in ``.kg-old-*``.

    graph.json moves last both ways, so unless the new graph.json is in place and the old one
    aside, the commit did not finish: the old files go back.
    """
    for old in sorted(real.glob(".kg-old-*")):
        if not old.is_dir() or old.is_symlink():
            continue
        if (real / GRAPH_JSON).exists() and (old / GRAPH_JSON).exists():
            continue  # finished: the new set is in place; the old one is a leftover
        for name in OUTPUTS:
            if os.path.lexists(old / name):
                with contextlib.suppress(OSError):
                    if (real / name).is_dir() and not (real / name).is_symlink():
                        shutil.rmtree(real / name)
                    os.replace(old / name, real / name)


def _remove_leftovers(real: Path) -> None:
    """Stages and temp files of builds that died (the lock says none is running now)."""
    if real.is_dir():
        _restore_in_place(real)
    found = [*real.parent.glob(f".{real.name}.new-*"), *real.parent.glob(f".{real.name}.old-*")]
    if real.is_dir():
        found += [p for pattern in _TEMP_GLOBS for p in real.glob(pattern)]
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def _carry_over(old: Path, new: Path) -> None:
    """Hard-link (or copy) every file of the old folder that the build does not write into the new one."""
    for entry in os.scandir(old):
        name = entry.name
        if name in OUTPUTS or any(Path(name).match(g) for g in _TEMP_GLOBS):
            continue
        src, dst = Path(entry.path), new / name
        if entry.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif entry.is_dir():
            shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(src, dst)


def _link_or_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):  # no renameat2 (not Linux, old libc)
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))
