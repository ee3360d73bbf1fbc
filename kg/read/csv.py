"""CSV with a header row naming at least ``title`` and ``abstract``."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ._records import OnInvalid, Record, checked_record, read_text, report

__all__ = ["read_csv"]

#: The csv module's own cap on a field (131,072 characters by default) is lifted while kg reads:
#: a long abstract is checked against spaCy's limit like any other record, not refused as bad quoting.
FIELD_LIMIT = 2**31 - 1


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def read_csv(path: Path, *, on_invalid: OnInvalid | None = None) -> Iterator[Record]:
    """Yield one record per CSV row; header names are matched case-insensitively."""
    text = read_text(path)
    with _field_limit(FIELD_LIMIT):
        yield from _rows(path, text, on_invalid)


def _rows(path: Path, text: str, on_invalid: OnInvalid | None) -> Iterator[Record]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"cannot read the CSV header ({exc})", path=path, line=1,
                         hint="the first row must name the columns, e.g. title,abstract") from None
    names = [h.strip().lower() for h in header]
    missing = [k for k in ("title", "abstract") if k not in names]
    if missing:
        raise InputError(f"CSV header has no {' or '.join(missing)} column", path=path, line=1,
                         hint="the first row must name the columns, e.g. title,abstract")
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report(InputError(f"malformed CSV row ({exc})", path=path, line=line,
                              hint="check the quoting; fix it or pass --skip-invalid"), on_invalid)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            report(InputError(f"row has {len(row)} cells but the header names {len(names)}", path=path,
                              line=line, hint="quote cells that contain the delimiter; or pass --skip-invalid"),
                   on_invalid)
            continue
        record = checked_record(path, line, dict(zip(names, row)), what="row", on_invalid=on_invalid)
        if record is not None:
            yield record
