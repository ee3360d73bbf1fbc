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
from ._records import OnInvalid, Record, make_paper, merge_papers, report, title_key
from .bibtex import read_bibtex
from .csv import read_csv
from .dump import read_dump
from .jsonl import read_json, read_jsonl

__all__ = ["INPUT_FORMATS", "Record", "iter_records", "near_duplicates", "read_papers", "title_key"]

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


def _walk(root: Path, on_invalid: OnInvalid | None, warn: Callable[[str], None]) -> Iterator[Path]:
    """Every file under *root*, in sorted order; symlinked folders are followed, once each.

    Hidden entries are skipped. Every other path that is not read is reported: folders that cannot
    be listed and dangling links go to :func:`report` (they stop the read unless *on_invalid*
    takes them), links back to a folder already read and special files go to *warn*.
    """
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path) -> Iterator[Path]:
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                warn(f"{folder}: skipped, a link to a folder already read (a loop or a second path to it)")
                return
            seen.add(key)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            report(InputError(f"cannot list this folder ({exc.strerror})", path=folder,
                              hint="fix its permissions, or pass --skip-invalid to skip it"), on_invalid)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    yield from visit(path)
                elif entry.is_file():
                    yield path
                elif entry.is_symlink():
                    report(InputError("dangling symbolic link, its target does not exist", path=path,
                                      hint="fix or remove the link, or pass --skip-invalid"), on_invalid)
                else:
                    warn(f"{path}: skipped, not a regular file")
            except OSError as exc:
                report(InputError(f"cannot read ({exc.strerror})", path=path,
                                  hint="fix its permissions, or pass --skip-invalid"), on_invalid)

    yield from visit(root)


def _expand(paths: Iterable[str | os.PathLike[str]], forced: str | None,
            warn: Callable[[str], None] | None, on_invalid: OnInvalid | None) -> Iterator[tuple[Path, str]]:
    note = warn if warn is not None else (lambda message: None)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = False
            for f in _walk(path, on_invalid, note):
                if forced is None and f.suffix.lower() not in EXTENSIONS:
                    if f.name.lower() not in {"readme", "readme.md"}:
                        note(f"{f}: skipped, not a known input format")
                    continue
                found = True
                yield f, _format_of(f, forced)
            if not found:
                raise InputError("no input files in this directory", path=path,
                                 hint="point kg at .txt, .jsonl, .json, .csv or .bib files")
        elif path.exists():
            yield path, _format_of(path, forced)
        elif path.is_symlink():
            raise InputError("dangling symbolic link, its target does not exist", path=path, hint="check the path")
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
    otherwise each one is passed to ``on_invalid`` and skipped. The same goes for
    a whole file that cannot be read (unreadable, empty, binary, not UTF-8) and for
    a folder that cannot be listed: reported and skipped, or raised.
    """
    for path, fmt in _expand(paths, format, warn, on_invalid):
        try:
            yield from INPUT_FORMATS[fmt](path, on_invalid=on_invalid)
        except InputError as err:
            report(err, on_invalid)
        except OSError as exc:
            report(InputError(f"cannot read ({exc.strerror or exc})", path=path,
                              hint="fix its permissions, or pass --skip-invalid to skip it"), on_invalid)


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
        Receives notes: files skipped inside a directory, records merged as one paper
        although their abstracts differ, and likely duplicates kept apart
        (:func:`near_duplicates`).

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
        first = merged.get(paper.id)
        if first is None:
            merged[paper.id] = paper
            continue
        if warn is not None and first.abstract != paper.abstract:
            warn(f"{paper.sources[0]}: same title as {first.sources[0]} but another abstract; "
                 "merged as one paper with the first abstract")
        merged[paper.id] = merge_papers(first, paper)
    papers = list(merged.values())
    if warn is not None:
        for paper, other in near_duplicates(papers):
            warn(f"{paper.sources[0]}: may be the same paper as {other.sources[0]} "
                 f"({paper.title!r} and {other.title!r}); kept apart, as their titles differ")
    return papers


def near_duplicates(papers: Iterable[Paper]) -> Iterator[tuple[Paper, Paper]]:
    """Pairs of papers whose titles differ only by a short name before a colon.

    "TRP: Trained Rank Pruning for Efficient Deep Neural Networks" and "Trained Rank
    Pruning for Efficient Deep Neural Networks" are probably one paper, but not the same
    title: kg reports them and keeps both (see the README, "What kg promises").

    >>> from kg.types import Paper
    >>> a = Paper(id="P-1", title="TRP: Trained Rank Pruning", abstract="x")
    >>> b = Paper(id="P-2", title="Trained rank pruning", abstract="y")
    >>> [(p.id, q.id) for p, q in near_duplicates([a, b])]
    [('P-1', 'P-2')]
    """
    papers = list(papers)
    by_key = {title_key(p.title): p for p in papers}
    for paper in papers:
        name, colon, rest = paper.title.partition(":")
        if not colon or not rest.strip() or len(name.split()) > 3:
            continue
        other = by_key.get(title_key(rest))
        if other is not None and other is not paper:
            yield paper, other
