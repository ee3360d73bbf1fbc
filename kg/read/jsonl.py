"""JSON Lines (one object per line) and JSON arrays of paper objects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._records import OnInvalid, Record, check_not_binary, checked_record, read_text, report

__all__ = ["read_json", "read_jsonl"]

_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def _msg(exc: json.JSONDecodeError) -> str:
    return exc.msg.removesuffix(" at")  # "Unterminated string starting at"


def _unreadable(exc: Exception) -> str:
    """Why a JSON text that the decoder gave up on cannot be read (not a syntax error)."""
    if isinstance(exc, RecursionError):
        return "is nested too deeply to read"
    return f"cannot be read ({str(exc).splitlines()[0]})"  # e.g. an integer over 4,300 digits


def read_jsonl(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield one record per non-blank line; each line is a JSON object with title and abstract.

    The file is read line by line, so a corpus of millions of lines is never held whole in memory.
    A bad line (bad UTF-8, bad JSON, a bad record) is reported on its own: with ``on_invalid`` the
    lines after it are still read.
    """
    seen = False
    with open(path, "rb") as f:
        check_not_binary(path, f.read(8192))
        f.seek(0)
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                report(InputError(f"not valid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1})",
                                  path=path, line=number, hint="re-save the file as UTF-8, or pass --skip-invalid"),
                       on_invalid)
                continue
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            seen = True
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                report(InputError(f"line is not valid JSON ({_msg(exc)} at column {exc.pos + 1})", path=path,
                                  line=number,
                                  hint="each line must be one JSON object; fix it or pass --skip-invalid"),
                       on_invalid)
                continue
            except (RecursionError, ValueError) as exc:
                report(InputError(f"line {_unreadable(exc)}", path=path, line=number,
                                  hint="fix the line, or pass --skip-invalid"), on_invalid)
                continue
            if not isinstance(data, dict):
                report(InputError("line is not a JSON object", path=path, line=number,
                                  hint='write {"title": ..., "abstract": ...} on each line'), on_invalid)
                continue
            record = checked_record(path, number, data, on_invalid=on_invalid)
            if record is not None:
                yield record
    if not seen:
        raise InputError("file is empty", path=path, hint="remove it or add records")


def read_json(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield records from a JSON array of objects (or a single object).

    The array is decoded one item at a time, so each item's line number comes from one pass
    over the text: reading takes time linear in the file, as JSON Lines does.
    """
    text = read_text(path)
    start = _WS.match(text).end()
    if text.startswith("[", start):
        items: Iterator[tuple[int, Any]] = _array_items(path, text, start)
    else:
        items = iter([(1, _decode(path, text))])
    for index, (line, item) in enumerate(items):
        if not isinstance(item, dict):
            report(InputError(f"item {index + 1} is not a JSON object", path=path, line=line,
                              hint='use an array of {"title": ..., "abstract": ...} objects'), on_invalid)
            continue
        record = checked_record(path, line, item, what=f"item {index + 1}", on_invalid=on_invalid)
        if record is not None:
            yield record


def _decode(path: Path, text: str, pos: int = 0) -> Any:
    """One JSON value from *text* at *pos* (the whole text when pos is 0); InputError if it is bad."""
    try:
        if pos:
            return _DECODER.raw_decode(text, pos)
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({_msg(exc)} at column {exc.colno})", path=path, line=exc.lineno,
                         hint="fix the JSON, or name the file .jsonl if it holds one object per line") from None
    except (RecursionError, ValueError) as exc:
        line = text.count("\n", 0, pos) + 1
        raise InputError(f"JSON value {_unreadable(exc)}", path=path, line=line,
                         hint="fix the JSON, or pass --skip-invalid to skip the file") from None


def _array_items(path: Path, text: str, start: int) -> Iterator[tuple[int, Any]]:
    """``(line, item)`` for each element of the top-level array opening at *start*.

    Newlines are counted once, from one item to the next, never from the start of the text.
    """
    pos = _WS.match(text, start + 1).end()
    line, counted = 1 + text.count("\n", 0, pos), pos
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            line += text.count("\n", counted, pos)
            counted = pos
            item, pos = _decode(path, text, pos)
            yield line, item
            pos = _WS.match(text, pos).end()
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                pos += 1
                break
            _decode(path, text)  # a syntax error: let the decoder name the place
            raise InputError("not valid JSON (expected ',' or ']' after an item)", path=path,
                             line=text.count("\n", 0, pos) + 1)
    if text[pos:].strip():
        _decode(path, text)
        raise InputError("not valid JSON (extra data after the array)", path=path,
                         line=text.count("\n", 0, pos) + 1)
