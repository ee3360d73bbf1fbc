"""Shared record handling for the readers: validation, bad-record reporting, ids, merging."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..types import Paper

#: What a reader does with a bad record: ``None`` raises it, a callback receives it (and the
#: reader skips the record).
OnInvalid = Callable[[InputError], None]

_WS = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Punctuation that still tells two titles apart ("C#", "R&D", "A*", "50%"); all other punctuation does not.
TITLE_SIGNS = frozenset("#&@%*")
#: The longest title or abstract kg reads: spaCy's default ``nlp.max_length``.
MAX_TEXT_CHARS = 1_000_000
_AUTHOR_SPLIT = re.compile(r"\s+and\s+|;\s*")


@dataclass
class Record:
    """A raw record as a reader found it, before it becomes a Paper."""

    path: str
    line: int
    title: str
    abstract: str
    meta: dict[str, Any] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """Collapse runs of whitespace (newlines included) to one space and strip.

    >>> clean_text("  A\\n  title ")
    'A title'
    """
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _title_separator(ch: str) -> bool:
    """Whether *ch* counts as a word break in a title key (whitespace, punctuation, ``^`` and such)."""
    if ch in TITLE_SIGNS:
        return False
    category = unicodedata.category(ch)
    return ch.isspace() or category[0] in "PZC" or category == "Sk"


def title_key(title: str) -> str:
    """Normalised title used to recognise the same paper in several files.

    Two titles are the same title when they are equal after Unicode NFKC, case
    folding, and turning every run of whitespace, punctuation (but ``# & @ % *``),
    modifier symbols (``^``, `````) and control characters into one space. Letters,
    digits, marks and the other symbols (``+``, ``<``, ``$``, emoji) all count. A
    title made of separators only is compared whole (case folded, spaces collapsed).

    >>> title_key("Attention Is All You Need!") == title_key("attention is  all you need")
    True
    >>> title_key("C++ for ML"), title_key("C# for ML"), title_key("???"), title_key("🚀🚀🚀")
    ('c++ for ml', 'c# for ml', '???', '🚀🚀🚀')
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(text.translate(_KEY_TABLE).split()) or " ".join(text.split())


class _KeyTable(dict):
    """``str.translate`` table: separators to a space, every other character to itself (filled as met)."""

    def __missing__(self, code: int) -> int:
        self[code] = value = 32 if _title_separator(chr(code)) else code
        return value


_KEY_TABLE = _KeyTable()


def paper_id(title: str) -> str:
    """Stable paper id from the normalised title.

    >>> paper_id("Deep Nets")
    'P-d0ac11f157a7d140'
    """
    digest = hashlib.blake2b(title_key(title).encode("utf-8"), digest_size=8).hexdigest()
    return "P-" + digest


def split_authors(value: Any) -> tuple[str, ...]:
    """Accept a list of names or a string joined by ``and`` or ``;``."""
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(clean_text(str(v)) for v in value if str(v).strip())
    return tuple(clean_text(a) for a in _AUTHOR_SPLIT.split(str(value)) if a.strip())


#: The record fields a Paper is made of (see :func:`make_paper`); nothing else is kept.
PAPER_FIELDS = ("title", "abstract", "authors", "author", "date", "year", "url", "doi", "venue", "id")


def _text_problem(data: dict[str, Any], what: str) -> str | None:
    """Why *data*'s title and abstract cannot be read as text, or None."""
    for name in ("title", "abstract"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            kind = "a number" if isinstance(value, (int, float)) else f"a JSON {type(value).__name__}"
            return f"{what}'s {name} is {kind}, not text"
    missing = [k for k in ("title", "abstract") if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        return f"{what} has no {' or '.join(missing)}"
    for name in ("title", "abstract"):
        if len(data[name]) > MAX_TEXT_CHARS:
            return (f"{what}'s {name} is {len(data[name]):,} characters, over spaCy's limit of "
                    f"{MAX_TEXT_CHARS:,}")
    for name in PAPER_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        for text in value if isinstance(value, (list, tuple)) else (value,):
            m = _SURROGATE.search(text) if isinstance(text, str) else None
            if m:
                return f"{what}'s {name} holds a lone surrogate ({ascii(m.group())[1:-1]}), which is not a character"
    return None


def check_record(path: Path | str, line: int, data: dict[str, Any], *, what: str = "record") -> Record:
    """Validate a dict with at least title and abstract; raise InputError naming file and line.

    >>> check_record("a.jsonl", 3, {"title": "T", "abstract": 42})
    Traceback (most recent call last):
    kg.errors.InputError: a.jsonl:3: record's abstract is a number, not text (every record needs ...)
    """
    problem = _text_problem(data, what)
    if problem:
        raise InputError(
            problem,
            path=path,
            line=line,
            hint="every record needs a title and an abstract as text; fix it or pass --skip-invalid",
        )
    meta = {k: v for k, v in data.items() if k not in ("title", "abstract") and v not in (None, "")}
    return Record(str(path), line, clean_text(data["title"]), clean_text(data["abstract"]), meta)


def report(err: InputError, on_invalid: OnInvalid | None) -> None:
    """Raise *err*, or pass it to *on_invalid* so the reader can skip the record.

    >>> seen = []
    >>> report(InputError("bad record", path="a.jsonl", line=2), seen.append)
    >>> [str(e) for e in seen]
    ['a.jsonl:2: bad record']
    """
    if on_invalid is None:
        raise err from None
    on_invalid(err)


def checked_record(path: Path | str, line: int, data: dict[str, Any], *, what: str = "record",
                   on_invalid: OnInvalid | None) -> Record | None:
    """:func:`check_record`, with a bad record reported (see :func:`report`): None then."""
    try:
        return check_record(path, line, data, what=what)
    except InputError as err:
        report(err, on_invalid)
        return None


def _opt_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return clean_text(str(value))


def make_paper(record: Record) -> Paper:
    """Turn a validated record into a Paper with a stable id."""
    meta = record.meta
    date = _opt_str(meta.get("date")) or _opt_str(meta.get("year"))
    return Paper(
        id=paper_id(record.title),
        title=record.title,
        abstract=record.abstract,
        authors=split_authors(meta.get("authors", meta.get("author"))),
        date=date,
        url=_opt_str(meta.get("url")),
        doi=_opt_str(meta.get("doi")),
        venue=_opt_str(meta.get("venue")),
        identifier=_opt_str(meta.get("id")),
        sources=(f"{record.path}:{record.line}",),
    )


def merge_papers(first: Paper, other: Paper) -> Paper:
    """Merge a later copy of the same paper: keep the first text, add sources, fill gaps."""
    updates: dict[str, Any] = {}
    for name in ("date", "url", "doi", "venue", "identifier"):
        if getattr(first, name) is None and getattr(other, name) is not None:
            updates[name] = getattr(other, name)
    if not first.authors and other.authors:
        updates["authors"] = other.authors
    sources = first.sources + tuple(s for s in other.sources if s not in first.sources)
    return replace(first, sources=sources, **updates)


def check_not_binary(path: Path | str, head: bytes) -> None:
    """Raise InputError if *head* (a file's first bytes) holds a NUL byte: a binary file, not text."""
    if b"\0" in head:
        raise InputError("binary file, not text (it holds NUL bytes)", path=path,
                         hint="remove it from the input, or pass --skip-invalid")


def read_text(path: Path) -> str:
    """Read a UTF-8 file; a decoding error names the line and the fix."""
    data = path.read_bytes()
    check_not_binary(path, data[:8192])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})",
            path=path,
            line=line,
            hint="re-save the file as UTF-8",
        ) from None
    if not text.strip():
        raise InputError("file is empty", path=path, hint="remove it or add records")
    return text
