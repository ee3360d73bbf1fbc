"""Errors raised by kg.

Every error kg raises on purpose is a :class:`KGError`. Its message names the
input (file and line where there is one) and says what to do about it, so the
CLI can print it as a single line and exit with :attr:`KGError.exit_code`.

One error per situation, one exit code each:

=================  ====  =========================================================
error              exit  situation
=================  ====  =========================================================
``InputError``     2     a file or folder kg reads is missing or malformed (an input
                         file, a record, an export folder without ``graph.json``)
``ArgumentError``  2     an argument or option has a bad value (also a ``ValueError``)
``ModelError``     2     a spaCy pipeline that cannot be found or loaded
``NotFoundError``  3     a paper or entity name that is not in the graph
``ExportError``    1     an output that cannot be written
``StoreError``     1     a triple store or SPARQL server that fails or refuses
``ClusterError``   1     a Dask cluster that cannot be started, reached or used
=================  ====  =========================================================

>>> from kg.errors import InputError
>>> err = InputError("not UTF-8", path="papers.jsonl", line=3, hint="re-save the file as UTF-8")
>>> str(err)
'papers.jsonl:3: not UTF-8 (re-save the file as UTF-8)'
"""

from __future__ import annotations

from os import PathLike, fspath

__all__ = [
    "ArgumentError",
    "ClusterError",
    "ExportError",
    "InputError",
    "KGError",
    "ModelError",
    "NotFoundError",
    "StoreError",
]


class KGError(Exception):
    """Base class of all errors kg raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong.
    path : str or PathLike, optional
        The file the error is about.
    line : int, optional
        1-based line number inside *path*.
    hint : str, optional
        What the user can do to fix it.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = fspath(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(KGError):
    """Input that kg cannot read: missing path, bad encoding, malformed record."""

    exit_code = 2


class ArgumentError(KGError, ValueError):
    """An argument or option with a bad value: out of range, wrong type, unknown choice.

    It is also a :class:`ValueError`, so ``except ValueError`` keeps working.

    >>> try:
    ...     raise ArgumentError("hops must be at least 1, got 0")
    ... except ValueError as err:
    ...     print(err)
    hops must be at least 1, got 0
    """

    exit_code = 2


class ModelError(KGError):
    """A spaCy pipeline that cannot be found or loaded."""

    exit_code = 2


class NotFoundError(KGError, KeyError):
    """A paper or entity name that is not in the graph; the message suggests close names."""

    exit_code = 3

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return KGError.__str__(self)


class ExportError(KGError):
    """An export that cannot be written."""


class StoreError(KGError):
    """A triple store that cannot be reached, or that answers with an error."""


class ClusterError(KGError):
    """A Dask cluster that cannot be started, reached or used."""
