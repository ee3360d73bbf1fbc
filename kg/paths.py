"""Where a build's outputs live: one place that turns a user's path into an export folder.

``kg build -o DIR`` writes ``DIR/graph.json``, ``DIR/graph.ttl``, ``DIR/graph.html`` and
``DIR/store/`` (``kg export`` adds ``DIR/graph.nt`` and the other RDF files). Every command
and function that reads a build accepts the folder itself, its ``graph.json``, or (for
SPARQL) its ``store/``; :func:`export_paths` resolves any of them the same way, and
:func:`store_dir` finds the store (a store folder given directly, whatever its name).

>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / GRAPH_JSON).write_text("{}")
>>> paths = export_paths(d)
>>> paths.graph_json.name, paths.store.name
('graph.json', 'store')
>>> export_paths(d / GRAPH_JSON).graph_json == paths.graph_json
True
>>> store_dir(d) == paths.store
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

__all__ = [
    "GRAPH_HTML",
    "GRAPH_JSON",
    "GRAPH_NT",
    "GRAPH_TTL",
    "REPORT_HTML",
    "STORE_DIR",
    "ExportPaths",
    "export_paths",
    "is_store",
    "store_dir",
]

GRAPH_JSON = "graph.json"
GRAPH_TTL = "graph.ttl"
GRAPH_NT = "graph.nt"
GRAPH_HTML = "graph.html"
REPORT_HTML = "report.html"
STORE_DIR = "store"

_HINT = "run `kg build` first, or pass the folder it wrote"


@dataclass(frozen=True)
class ExportPaths:
    """The files of one build folder (they need not all exist).

    *json_file* is set when the user named a graph file of their own (``my-graph.json``): it is
    then the graph read, whatever its name.
    """

    dir: Path
    json_file: Path | None = None

    @property
    def graph_json(self) -> Path:
        return self.json_file if self.json_file is not None else self.dir / GRAPH_JSON

    @property
    def graph_ttl(self) -> Path:
        return self.dir / GRAPH_TTL

    @property
    def graph_nt(self) -> Path:
        return self.dir / GRAPH_NT

    @property
    def graph_html(self) -> Path:
        return self.dir / GRAPH_HTML

    @property
    def store(self) -> Path:
        return self.dir / STORE_DIR

    def require_graph(self) -> Path:
        """``graph.json``, or an :class:`InputError` that says to run ``kg build``."""
        if not self.graph_json.is_file():
            if self.json_file is not None:
                raise InputError("no such file", path=self.json_file, hint=_HINT)
            raise InputError(f"no {GRAPH_JSON} here", path=self.dir, hint=_HINT)
        return self.graph_json


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether *path* is an Oxigraph store folder (it holds RocksDB's ``CURRENT`` file)."""
    p = Path(path)
    return p.is_dir() and (p / "CURRENT").is_file()


def export_paths(path: str | os.PathLike[str] = "exports") -> ExportPaths:
    """The build folder behind *path*: the folder, a graph JSON file, another file in it, or its store.

    A ``.json`` file is the graph to read (``kg export my-graph.json`` reads that file); any other
    file or the store stands for the folder it sits in. Nothing is checked here but what *path*
    is; :meth:`ExportPaths.require_graph` checks that a graph is there.

    >>> export_paths("out/my-graph.json").graph_json.as_posix()
    'out/my-graph.json'
    >>> export_paths("out/graph.ttl").graph_json.as_posix()
    'out/graph.json'
    """
    p = Path(path)
    if p.is_file() or is_store(p) or (not p.exists() and p.suffix):
        return ExportPaths(p.parent, p if p.suffix == ".json" and not is_store(p) else None)
    return ExportPaths(p)


def store_dir(path: str | os.PathLike[str] = "exports") -> Path:
    """The store behind *path*: *path* itself if it is a store, else its build folder's ``store/``."""
    p = Path(path)
    return p if is_store(p) else export_paths(p).store
