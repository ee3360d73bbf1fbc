"""Plain-text tables: the one aligned-column renderer that ``kg sparql`` and ``kg query`` print with.

Cells arrive as text (each caller decides how a value reads); long cells are clipped with ``…``
and every line is right-stripped.

>>> print(format_table(["x", "label"], [["1", "BERT"], ["22", "a very long label"]], max_width=8), end="")
x  | label
---+---------
1  | BERT
22 | a very …
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["clip", "format_table"]


def clip(text: str, width: int) -> str:
    """*text*, cut to *width* characters with a trailing ``…`` if longer.

    >>> clip("ImageNet", 5), clip("BERT", 5)
    ('Imag…', 'BERT')
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, max_width: int,
                 sep: str = " | ", rule_sep: str = "-+-", empty: str | None = None) -> str:
    """A header line, a rule, then one line per row, columns as wide as their widest cell.

    Cells longer than *max_width* are clipped; *sep* joins the cells of a line and
    *rule_sep* the dashes of the rule. *empty*, if given, is printed under the rule when
    there are no rows.

    >>> print(format_table(["id", "n"], [], max_width=60, sep="  ", rule_sep="  ", empty="(none)"), end="")
    id  n
    --  -
    (none)
    """
    cells = [[clip(c, max_width) for c in row] for row in rows]
    widths = [max([len(n)] + [len(row[i]) for row in cells]) for i, n in enumerate(columns)]
    lines = [sep.join(n.ljust(w) for n, w in zip(columns, widths)).rstrip(),
             rule_sep.join("-" * w for w in widths)]
    lines += [sep.join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    if not cells and empty is not None:
        lines.append(empty)
    return "\n".join(lines) + "\n"
