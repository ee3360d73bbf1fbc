"""Span-boundary repair for the statistical NER, as the ``kg_boundaries`` spaCy component.

A greedy NER trained on a few hundred abstracts sometimes runs an entity
into the next function word ("learning of a"), starts it on a determiner or
a quote, stops it inside a parenthesis ("Q-learning (Watkins"), or swallows
a comma-separated list. Scientific entity annotations (SciERC) almost never
do any of these, so :func:`repair` fixes them token by token, without a
tagger:

- leading determiners, possessives, conjunctions, prepositions and
  punctuation are dropped, and so are trailing ones ("teacher network 's",
  "learning curve ---"), and a last "relative" or "respectively";
- an unclosed ``(`` either takes the ``)`` right after the span or is cut
  off with what follows it; an unopened ``)`` at either edge is cut;
- a span with commas outside brackets is split into its list items.

>>> repair(["learning", "of", "a"])
[(0, 1)]
>>> repair(["teacher", "network", "'s"]), repair(["learning", "curve", "---"])
([(0, 2)], [(0, 2)])
>>> repair(["Q", "-", "learning", "(", "Watkins"])
[(0, 3)]
>>> repair(["belief", "propagation", "(", "BP"], next_token=")")
[(0, 5)]
>>> repair(["A", "*", "search"]), repair(["A", "new", "method"])
([(0, 3)], [(1, 3)])
>>> repair(["open", ",", "AS", "-", "closed", ",", "and", "HK"])
[(0, 1), (2, 5), (7, 8)]
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ._component import Component

__all__ = ["EDGE_WORDS", "Boundaries", "add_boundaries", "repair"]

_FUNCTION = {
    "a", "an", "the", "this", "these", "that", "those", "our", "its", "their", "his", "her", "my",
    "your", "and", "or", "nor", "but", "of", "in", "on", "for", "to", "with", "by", "from", "as",
    "at", "into", "onto", "via", "than", "which", "who", "whose", "where", "when", "while", "is",
    "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "can", "will",
    "we", "it", "they", "such", "both", "either", "each", "also", "i.e.", "e.g.", "etc", "etc.",
}
_PUNCT = {",", ".", ";", ":", "!", "?", '"', "'", "`", "``", "''", "“", "”", "‘", "’", "-", "–", "—", "/",
          "~"}  # LaTeX's non-breaking space

_POSSESSIVE = {"'s", "’s"}
_RUNS = set("-–—‐.…")

#: Tokens that never start or end an entity (lower-cased; so do runs of dashes or dots).
EDGE_WORDS = frozenset(_FUNCTION | _PUNCT | _POSSESSIVE)

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}


def _is_edge(word: str) -> bool:
    """A function word, a possessive "'s" or punctuation (runs of dashes or dots such as "---"
    too; "*" and "#" not: "C#", "RRT*"); all-caps words ("AS", "OR") are names, not edges."""
    if word in _PUNCT or word.lower() in _POSSESSIVE:
        return True
    if len(word) > 1 and set(word) <= _RUNS:
        return True
    return word.lower() in _FUNCTION and not (len(word) > 1 and word.isupper())


#: Symbols that make a name of the capital letter before them ("A*", "A+"), which the article "A" is not.
_LETTER_SUFFIXES = {"*", "+", "++", "#"}


#: Words that may start a name ("relative position encoding") but never end one
#: ("overhead relative to", "ResNet and ViT respectively").
_NEVER_LAST = {"relative", "respectively"}


def _trim(words: Sequence[str], lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and (words[lo] in _CLOSE or _is_edge(words[lo]) and not (
            words[lo].isupper() and lo + 1 < hi and words[lo + 1] in _LETTER_SUFFIXES)):
        lo += 1
    while hi > lo and (_is_edge(words[hi - 1]) or words[hi - 1] in _OPEN or words[hi - 1].lower() in _NEVER_LAST):
        hi -= 1
    return lo, hi


def _balance(words: Sequence[str], lo: int, hi: int, next_token: str | None) -> tuple[int, int]:
    """Close or cut an unbalanced bracket; hi may grow by one to take the closing bracket."""
    stack: list[int] = []
    for i in range(lo, hi):
        w = words[i]
        if w in _OPEN:
            stack.append(i)
        elif w in _CLOSE:
            if stack and words[stack[-1]] == _CLOSE[w]:
                stack.pop()
            elif i == lo:
                lo += 1
            else:  # a ")" whose "(" lies before the span: keep what follows it only if short
                return _balance(words, lo, i, None)
    if stack:
        first = stack[0]
        if len(stack) == 1 and next_token == _OPEN[words[first]] and hi - first <= 6:
            return lo, hi + 1
        return _trim(words, lo, first)
    return lo, hi


def _split_commas(words: Sequence[str], lo: int, hi: int,
                  separators: frozenset[str] = frozenset({","})) -> list[tuple[int, int]]:
    parts: list[tuple[int, int]] = []
    depth = 0
    start = lo
    for i in range(lo, hi):
        w = words[i]
        if w in _OPEN:
            depth += 1
        elif w in _CLOSE:
            depth = max(0, depth - 1)
        elif w in separators and depth == 0:
            parts.append((start, i))
            start = i + 1
    parts.append((start, hi))
    return parts


def repair(words: Sequence[str], *, next_token: str | None = None,
           split_on: frozenset[str] = frozenset({","})) -> list[tuple[int, int]]:
    """Repaired token ranges ``(start, end)`` for an entity made of *words* (maybe none).

    *next_token* is the token right after the entity, if any; an end of
    ``len(words) + 1`` means the entity takes it (a closing bracket).
    """
    out: list[tuple[int, int]] = []
    words = list(words) + ([next_token] if next_token is not None else [])
    n = len(words) - (1 if next_token is not None else 0)
    for lo, hi in _split_commas(words, 0, n, split_on):
        lo, hi = _trim(words, lo, hi)
        if lo >= hi:
            continue
        nxt = words[hi] if hi < len(words) else None
        lo, hi = _balance(words, lo, hi, nxt)
        lo, hi = _trim(words, lo, hi) if not (hi > n) else (lo, hi)
        if lo < hi:
            out.append((lo, hi))
    return out


_NOT_GLUED = frozenset(_PUNCT - {"-"})


def _glued(left, right) -> bool:
    """*right* continues *left*'s word: a hyphen between words, with no white space either side (a
    hyphen at an entity's edge is not glued: ``match`` leaves it to :func:`repair` to trim)."""
    return not left.whitespace_ and (left.text == "-" or right.text == "-") and \
        left.text not in _NOT_GLUED and right.text not in _NOT_GLUED


class Boundaries(Component):
    """The ``kg_boundaries`` component: applies :func:`repair` to every entity."""

    def __init__(self, name: str = "kg_boundaries", *, split_lists: bool = True,
                 split_conjunctions: bool = False) -> None:
        self.name = name
        self.split_lists = split_lists
        self.split_on = frozenset({",", "and", "or"} if split_conjunctions else {","})

    def match(self, doc: Doc) -> list[Span]:
        """The repaired entities of *doc*."""
        out: list[Span] = []
        for ent in doc.ents:
            # tokens a hyphen glues without white space ("in - context") are one word for repair:
            # "in" and "and" are function words, "in-context" and "Divide-and-Conquer" are not
            starts = [0] + [k for k in range(1, len(ent)) if not _glued(ent[k - 1], ent[k])
                            or (k == 1 and ent[0].text == "-") or (k == len(ent) - 1 and ent[k].text == "-")]
            ends = starts[1:] + [len(ent)]
            words = [ent[a:b].text for a, b in zip(starts, ends)]
            nxt = doc[ent.end].text if ent.end < len(doc) else None
            ranges = repair(words, next_token=nxt, split_on=self.split_on)
            if not self.split_lists and len(ranges) > 1:
                ranges = [(ranges[0][0], ranges[-1][1])]
            for lo, hi in ranges:
                end = ent.start + ends[hi - 1] if hi <= len(words) else ent.end + 1  # took the next token
                out.append(Span(doc, ent.start + starts[lo], end, label=ent.label, span_id=ent.id))
        return out

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        doc.ents = filter_spans(spans)


@Language.factory(
    "kg_boundaries",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"split_lists": True, "split_conjunctions": False},
)
def make_boundaries(nlp: Language, name: str, split_lists: bool,
                    split_conjunctions: bool) -> Boundaries:
    """Create the ``kg_boundaries`` component."""
    return Boundaries(name, split_lists=split_lists, split_conjunctions=split_conjunctions)


def add_boundaries(nlp: Language, **config) -> None:
    """Add ``kg_boundaries`` right after ``ner`` (or last); a second call changes nothing."""
    if "kg_boundaries" in nlp.pipe_names:
        return
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("kg_boundaries", after="ner", config=config)
    else:
        nlp.add_pipe("kg_boundaries", config=config)
