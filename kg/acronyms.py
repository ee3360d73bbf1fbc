"""Acronym definitions, found with the Schwartz-Hearst algorithm.

Implements "A simple algorithm for identifying abbreviation definitions in
biomedical text" (Schwartz & Hearst, PSB 2003) on plain strings, so it can be
tested without spaCy: a short form in parentheses after a candidate long form,
``long form (SF)``, and the long form is the shortest run of words ending
before the parenthesis in which every character of SF appears in order, the
first one at the start of a word.

>>> find_acronyms("training piecewise-linear RNNs (PLRNNs) on chaotic data")
[Acronym(short='PLRNNs', long='piecewise-linear RNNs', short_start=32, long_start=9)]
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Acronym", "best_long_form", "find_acronyms"]

_PAREN = re.compile(r"\(\s*([^()\s;,]{2,12})\s*\)")
_WORD = re.compile(r"[^\s]+")


class Acronym(NamedTuple):
    """A short form and its long form, with their character offsets in the text."""

    short: str
    long: str
    short_start: int
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


def best_long_form(short: str, candidate: str) -> str | None:
    """Return the shortest suffix of *candidate* that *short* abbreviates, or None.

    >>> best_long_form("RNNs", "training recurrent neural networks")
    'recurrent neural networks'
    >>> best_long_form("XYZ", "a model") is None
    True
    """
    s_idx = len(short) - 1
    l_idx = len(candidate) - 1
    while s_idx >= 0:
        c = short[s_idx].lower()
        if not c.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (
            candidate[l_idx].lower() != c
            or (s_idx == 0 and l_idx > 0 and candidate[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    start = candidate.rfind(" ", 0, l_idx + 1) + 1
    long = candidate[start:]
    return long if long else None


def _is_short_form(text: str) -> bool:
    if not (2 <= len(text) <= 12) or not text[0].isalnum():
        return False
    if not any(c.isalpha() for c in text):
        return False
    # at least two capitals (PLRNNs, GPT, EC) or a capital and a digit (T5)
    uppers = sum(c.isupper() for c in text)
    return uppers >= 2 or (uppers >= 1 and any(c.isdigit() for c in text))


def find_acronyms(text: str) -> list[Acronym]:
    """Find every ``long form (SF)`` definition in *text*."""
    found: list[Acronym] = []
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not _is_short_form(short):
            continue
        before = text[: m.start()].rstrip().rstrip("~")  # LaTeX's non-breaking space: "models~(DMs)"
        # the candidate stops at the previous clause boundary
        cut = max(before.rfind(ch) for ch in ".;:()[]")
        region_start = cut + 1
        words = list(_WORD.finditer(before, region_start))
        n = min(len(short) + 5, len(short) * 2)
        words = words[-n:]
        if not words:
            continue
        cand_start = words[0].start()
        candidate = before[cand_start:]
        long = best_long_form(short, candidate)
        if long is None:
            continue
        long = long.strip(" ,")
        if len(long) <= len(short) or long.lower() == short.lower():
            continue
        if len(long.split()) > len(short) + 5:
            continue
        long_start = cand_start + candidate.rfind(long)
        found.append(Acronym(short, long, m.start(1), long_start))
    return found
