"""Errors raised by kg.

Every error kg raises on purpose is a :class:`KGError`. Its message names the
input (file and line where there is one) and says what to do about it, so the
CLI can print it as a single line and exit with :attr:`KGError.exit_code`.

>>> from kg.errors import InputError
>>> err = InputError("not UTF-8", path="papers.jsonl", line=3, hint="re-save the file as UTF-8")
>>> str(err)
'papers.jsonl:3: not UTF-8 (re-save the file as UTF-8)'
"""

from __future__ import annotations

from os import PathLike, fspath

__all__ = [
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
