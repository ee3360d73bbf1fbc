"""Daily-papers text dumps: a title line, then an abstract line, with page noise around them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ._records import OnInvalid, Record, checked_record, read_text, report

__all__ = ["NOISE_LINES", "read_dump"]

#: Lines of page chrome that are never titles or abstracts (compared case-folded).
NOISE_LINES = frozenset(
    s.casefold()
    for s in (
        "new",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
    )
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_LINE = re.compile(rf"^(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})$", re.IGNORECASE)
_GLUED = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
#: Longer lines are never taken for titles.
MAX_TITLE_CHARS = 300


def looks_like_title(line: str) -> bool:
    """A short line with no sentence in it: what a title looks like, and an abstract does not.

    >>> looks_like_title("Deep Nets for Graphs"), looks_like_title("We train nets. They work.")
    (True, False)
    """
    return (len(line) <= MAX_TITLE_CHARS and not line.endswith(".")
            and not _SENTENCE_BREAK.search(line))


def is_noise(line: str) -> bool:
    """True for page chrome: subscribe prompts, banners, date lines.

    >>> is_noise("Mar 12"), is_noise("byAK and the research community"), is_noise("Deep Nets")
    (True, True, False)
    """
    return line.casefold() in NOISE_LINES or bool(_DATE_LINE.match(line))


def read_dump(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield title/abstract records from one daily-papers dump.

    Blank lines and page noise are skipped; a title glued to "Subscribe" is
    cut loose. The remaining lines alternate title, abstract.
    """
    text = read_text(path)
    content: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or is_noise(line):
            continue
        line = _GLUED.sub("", line)
        content.append((number, line))
    if not content:
        raise InputError("no papers found, only page noise", path=path,
                         hint="a dump needs a title line followed by an abstract line")
    i = 0
    while i < len(content):
        t_line, title = content[i]
        if i + 1 >= len(content):
            report(InputError("title line has no abstract line after it", path=path, line=t_line,
                              hint="add the abstract on the next line, or pass --skip-invalid"), on_invalid)
            break
        _, abstract = content[i + 1]
        if len(abstract) < len(title):
            report(InputError(
                "expected an abstract line after this title, found a shorter line",
                path=path, line=t_line,
                hint="each title line must be followed by its abstract; fix the file or pass --skip-invalid",
            ), on_invalid)
            i += 1  # resynchronise on the next line
            continue
        if (looks_like_title(abstract) and i + 2 < len(content)
                and len(content[i + 2][1]) >= len(abstract) and not looks_like_title(content[i + 2][1])):
            # title, title, abstract: the first title lost its abstract; do not pair it with the second
            report(InputError("title line has no abstract line after it (the next line is another title)",
                              path=path, line=t_line,
                              hint="add the abstract on the next line, or pass --skip-invalid"), on_invalid)
            i += 1
            continue
        record = checked_record(path, t_line, {"title": title, "abstract": abstract}, on_invalid=on_invalid)
        if record is not None:
            yield record
        i += 2
