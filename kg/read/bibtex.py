"""BibTeX: entries with title and abstract (author, year, doi, url, journal/booktitle optional).

A small parser of its own, so every error names the line it is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ._records import OnInvalid, Record, checked_record, read_text, report

__all__ = ["latex_to_text", "parse_bibtex", "read_bibtex"]

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w\-:.]*)\s*=\s*")
_KEY = re.compile(r"\s*([^,\s{}()]*)\s*,")
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327"}
_SYMBOLS = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", "ss": "ß",
            "ae": "æ", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "aa": "å", "AA": "Å"}


# An accent over a dotless i or j ("\'\i", "\'{\i}", DBLP's forms) is an accented i or j
_DOTLESS = re.compile(r"(\\[`'^\"~=.])\s*(?:\{\s*\\([ij])\s*\}|\\([ij])(?![A-Za-z]))")


class _BibSyntax(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def latex_to_text(value: str) -> str:
    r"""Turn common LaTeX markup into plain text.

    >>> latex_to_text(r"{BERT}: Pre-training of {D}eep \& Caf\'{e} models")
    'BERT: Pre-training of Deep & Café models'
    >>> latex_to_text(r"Na\"{\i}ve Garc{\'\i}a Garc{\'{\i}}a")
    'Naïve García García'
    """
    import unicodedata

    def accent(m: re.Match[str]) -> str:
        return unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)])

    value = _DOTLESS.sub(lambda m: m.group(1) + (m.group(2) or m.group(3)), value)
    value = re.sub(r"\\([`'^\"~=.])\s*\{?([A-Za-z])\}?", accent, value)
    value = re.sub(r"\\([uvHc])\s*\{([A-Za-z])\}", accent, value)
    value = re.sub(r"\\(ss|ae|aa|AA|[&%$#_{}oOlLi])(?![A-Za-z])",
                   lambda m: _SYMBOLS[m.group(1)], value)
    value = re.sub(r"\\(?:emph|textit|textbf|texttt|textsc|mathrm|mathbf|text)\s*", "", value)
    value = value.replace("{", "").replace("}", "").replace("~", " ").replace("--", "–")
    return value


def _read_value(text: str, pos: int, strings: dict[str, str]) -> tuple[str, int]:
    """Read a field value starting at pos: {braced}, "quoted", number or macro, joined by #."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            raise _BibSyntax("field value is cut off at the end of the file", pos)
        ch = text[pos]
        if ch == "{":
            depth, start = 1, pos + 1
            pos += 1
            while pos < len(text) and depth:
                if text[pos] == "\\":
                    pos += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                pos += 1
            if depth:
                raise _BibSyntax("unbalanced braces in field value", start - 1)
            parts.append(text[start:pos - 1])
        elif ch == '"':
            start, depth = pos + 1, 0
            pos += 1
            while pos < len(text) and not (text[pos] == '"' and depth == 0):
                if text[pos] == "\\":
                    pos += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                pos += 1
            if pos >= len(text):
                raise _BibSyntax("unterminated quoted field value", start - 1)
            parts.append(text[start:pos])
            pos += 1
        else:
            m = re.compile(r"[\w\-.:]+").match(text, pos)
            if not m:
                raise _BibSyntax(f"unexpected {ch!r} where a field value should be", pos)
            word = m.group(0)
            parts.append(strings.get(word.lower(), word))
            pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] == "#":
            pos += 1
            continue
        return "".join(parts), pos


def parse_bibtex(text: str) -> Iterator[tuple[int, str, dict[str, str] | _BibSyntax]]:
    """Yield ``(line, entry_type, fields)`` per entry, or ``(line, type, error)`` for a bad one."""
    strings: dict[str, str] = {}
    pos = 0
    while True:
        m = _ENTRY.search(text, pos)
        if not m:
            return
        entry_type = m.group(1).lower()
        close = "}" if m.group(2) == "{" else ")"
        start_line = text.count("\n", 0, m.start()) + 1
        pos = m.end()
        if entry_type in ("comment", "preamble"):
            # only the delimiter that opened the entry nests: "@comment{ see (draft }" ends at "}"
            nesting = {"{": 1, "}": -1} if close == "}" else {"(": 1, ")": -1}
            depth = 1
            while pos < len(text) and depth:
                depth += nesting.get(text[pos], 0)
                pos += 1
            continue
        try:
            fields: dict[str, str] = {}
            if entry_type != "string":
                km = _KEY.match(text, pos)
                if not km:
                    raise _BibSyntax("entry has no citation key followed by a comma", pos)
                fields["ID"] = km.group(1)
                pos = km.end()
            while True:
                while pos < len(text) and (text[pos].isspace() or text[pos] == ","):
                    pos += 1
                if pos < len(text) and text[pos] == close:
                    pos += 1
                    break
                fm = _FIELD_NAME.match(text, pos)
                if not fm:
                    raise _BibSyntax("expected 'name = value' or the end of the entry", pos)
                value, pos = _read_value(text, fm.end(), strings)
                fields[fm.group(1).lower()] = value
            if entry_type == "string":
                strings.update({k: v for k, v in fields.items()})
                continue
            yield start_line, entry_type, fields
        except _BibSyntax as err:
            if not text[err.pos:].strip():
                err = _BibSyntax("entry is never closed (check its braces and quotes)", m.start())
            yield text.count("\n", 0, err.pos) + 1, entry_type, err
            nxt = _ENTRY.search(text, max(pos, m.end()))
            pos = nxt.start() if nxt else len(text)


def read_bibtex(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield one record per BibTeX entry that has a title and an abstract."""
    text = read_text(path)
    found = False
    for line, entry_type, fields in parse_bibtex(text):
        found = True
        if isinstance(fields, _BibSyntax):
            report(InputError(f"BibTeX syntax error: {fields}", path=path, line=line,
                              hint="fix the entry, or pass --skip-invalid"), on_invalid)
            continue
        data = {k: latex_to_text(v) for k, v in fields.items() if k != "ID"}
        data["id"] = fields.get("ID") or None
        data["authors"] = data.pop("author", None)
        data["venue"] = data.pop("journal", None) or data.pop("booktitle", None)
        record = checked_record(path, line, data, what=f"@{entry_type} entry", on_invalid=on_invalid)
        if record is not None:
            yield record
    if not found:
        raise InputError("no BibTeX entries found", path=path, hint="entries start with @article{key, ...}")
