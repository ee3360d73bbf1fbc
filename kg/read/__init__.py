"""Read papers from daily-papers text dumps, JSONL, JSON, CSV and BibTeX.

:func:`read_papers` is the entry point: it walks files and directories,
picks a reader by extension (or by ``format=``), and merges records with the
same normalised title into one :class:`~kg.types.Paper` that lists all its
sources.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.jsonl").write_text('{"title": "Deep Nets", "abstract": "We train nets."}\\n')
>>> [p.title for p in read_papers([d])]
['Deep Nets']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..types import Paper
from ._records import OnInvalid, Record, make_paper, merge_papers, title_key
from .bibtex import read_bibtex
from .csv import read_csv
from .dump import read_dump
from .jsonl import read_json, read_jsonl

__all__ = ["INPUT_FORMATS", "Record", "iter_records", "read_papers", "title_key"]

#: Format name -> reader. Each reader takes a path and an ``on_invalid``
#: callback and yields :class:`Record`.
INPUT_FORMATS: dict[str, Callable[..., Iterator[Record]]] = {
    "dump": read_dump,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "bibtex": read_bibtex,
}

#: File extension -> format name.
EXTENSIONS: dict[str, str] = {
    ".txt": "dump",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}


def _format_of(path: Path, forced: str | None) -> str:
    if forced is not None:
        if forced not in INPUT_FORMATS:
            raise InputError(
                f"unknown format {forced!r}",
                hint="use one of: " + ", ".join(sorted(INPUT_FORMATS)),
            )
        return forced
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown file extension {path.suffix or '(none)'!r}",
            path=path,
            hint="use .txt, .jsonl, .json, .csv or .bib, or pass --format",
        )
    return fmt


def _expand(paths: Iterable[str | os.PathLike[str]], forced: str | None,
            warn: Callable[[str], None] | None) -> Iterator[tuple[Path, str]]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            found = False
            for f in files:
                if forced is None and f.suffix.lower() not in EXTENSIONS:
                    if warn is not None and f.name.lower() not in {"readme", "readme.md"}:
                        warn(f"{f}: skipped, not a known input format")
                    continue
                found = True
                yield f, _format_of(f, forced)
            if not found:
                raise InputError("no input files in this directory", path=path,
                                 hint="point kg at .txt, .jsonl, .json, .csv or .bib files")
        elif path.exists():
            yield path, _format_of(path, forced)
        else:
            raise InputError("no such file or directory", path=path, hint="check the path")


def iter_records(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    on_invalid: OnInvalid | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Record]:
    """Yield raw records from *paths*, in file order, without merging duplicates.

    With ``on_invalid=None`` the first bad record raises :class:`InputError`;
    otherwise each one is passed to ``on_invalid`` and skipped.
    """
    for path, fmt in _expand(paths, format, warn):
        yield from INPUT_FORMATS[fmt](path, on_invalid=on_invalid)


def read_papers(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    on_invalid: OnInvalid | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Paper]:
    """Read every paper under *paths*, one :class:`Paper` per distinct title.

    Parameters
    ----------
    paths : path or list of paths
        Files or directories (recursed, in sorted order).
    format : str, optional
        Force a format (``dump``, ``jsonl``, ``json``, ``csv``, ``bibtex``)
        instead of choosing by extension.
    skip_invalid : bool
        Skip bad records instead of raising. Each skipped record is passed to
        *on_invalid* (default: ignored).
    warn : callable, optional
        Receives notes such as files skipped inside a directory.

    Returns
    -------
    list of Paper
        In order of first appearance. Papers with the same normalised title
        are merged; their ``sources`` list every ``file:line`` read.

    Raises
    ------
    InputError
        A missing path, unknown extension, or (without *skip_invalid*) the
        first invalid record, naming file and line.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    handler: OnInvalid | None = None
    if skip_invalid:
        handler = on_invalid if on_invalid is not None else (lambda err: None)
    merged: dict[str, Paper] = {}
    for record in iter_records(paths, format=format, on_invalid=handler, warn=warn):
        paper = make_paper(record)
        key = paper.id
        merged[key] = merge_papers(merged[key], paper) if key in merged else paper
    return list(merged.values())
