"""JSON Lines (one object per line) and JSON arrays of paper objects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ._records import OnInvalid, Record, checked_record, read_text, report

__all__ = ["read_json", "read_jsonl"]


def read_jsonl(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield one record per non-blank line; each line is a JSON object with title and abstract.

    The file is read line by line, so a corpus of millions of lines is never held whole in memory.
    """
    seen = False
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1})",
                                 path=path, line=number, hint="re-save the file as UTF-8") from None
            if not line.strip():
                continue
            seen = True
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                report(InputError(f"line is not valid JSON ({exc.msg} at column {exc.colno})", path=path,
                                 line=number,
                                 hint="each line must be one JSON object; fix it or pass --skip-invalid"),
                      on_invalid)
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
    """Yield records from a JSON array of objects (or a single object)."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=exc.lineno,
                         hint="fix the JSON, or name the file .jsonl if it holds one object per line") from None
    items = data if isinstance(data, list) else [data]
    starts = _item_lines(text) if isinstance(data, list) else [1]
    for index, item in enumerate(items):
        line = starts[index] if index < len(starts) else 1
        if not isinstance(item, dict):
            report(InputError(f"item {index + 1} is not a JSON object", path=path, line=line,
                             hint='use an array of {"title": ..., "abstract": ...} objects'), on_invalid)
            continue
        record = checked_record(path, line, item, what=f"item {index + 1}", on_invalid=on_invalid)
        if record is not None:
            yield record


def _item_lines(text: str) -> list[int]:
    """Line number where each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[\s,]*")
    pos = ws.match(text, text.index("[") + 1).end()
    lines: list[int] = []
    while pos < len(text) and text[pos] != "]":
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)
        pos = ws.match(text, pos).end()
    return lines
