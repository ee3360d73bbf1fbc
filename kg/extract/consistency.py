"""One name, one type, every mention: document-level consistency for NER output.

An abstract names its entities several times, and a greedy NER tags each
mention on its own, so "CRF" may be a method in one sentence, a concept in
the next and missed in the third. The ``kg_consistency`` component

- gives every mention of the same surface form (exact text) the type most of
  its mentions got (ties keep each mention's own type), and
- tags the other occurrences of an entity's exact text that no entity covers,
  for names that look like names (capitals, digits or several words), so a
  common word tagged once does not spread.

:func:`vote` and :func:`propagate` are the pure parts:

>>> vote([("CRF", "method"), ("CRF", "concept"), ("CRF", "method"), ("EM", "task")])
{'CRF': 'method'}
>>> propagate("CRF beats HMM; CRF wins.", [(0, 3, "method")])
[(15, 18, 'method')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ._component import Component

__all__ = ["Consistency", "is_name_like", "propagate", "vote"]

_IGNORED_LABELS = {"generic"}


def vote(mentions: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Majority type per surface form, for forms whose mentions disagree and have a clear winner."""
    by_text: dict[str, Counter[str]] = {}
    for text, label in mentions:
        by_text.setdefault(text, Counter())[label] += 1
    out = {}
    for text, counts in by_text.items():
        if len(counts) < 2:
            continue
        (top, n), (_, m) = counts.most_common(2)
        if n > m:
            out[text] = top
    return out


def is_name_like(text: str) -> bool:
    """Several words, or a capital or digit beyond the first character.

    >>> is_name_like("parsing"), is_name_like("Parsing"), is_name_like("CRF"), is_name_like("word sense")
    (False, False, True, True)
    """
    if len(text) < 2:
        return False
    if " " in text.strip():
        return True
    return any(c.isupper() or c.isdigit() for c in text[1:])


def propagate(text: str, ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """New ``(start, end, label)`` spans for untagged occurrences of name-like entity texts."""
    taken = sorted((s, e) for s, e, _ in ents)
    labels: dict[str, str] = {}
    for s, e, label in ents:
        surface = text[s:e]
        if label not in _IGNORED_LABELS and is_name_like(surface):
            labels.setdefault(surface, label)
    new: list[tuple[int, int, str]] = []
    for surface in sorted(labels, key=len, reverse=True):
        for m in re.finditer(r"(?<![\w-])" + re.escape(surface) + r"(?![\w-])", text):
            a, b = m.start(), m.end()
            if any(s < b and a < e for s, e in taken):
                continue
            new.append((a, b, labels[surface]))
            taken.append((a, b))
    return sorted(new)


class Consistency(Component):
    """The ``kg_consistency`` component (see the module docstring)."""

    def __init__(self, name: str = "kg_consistency", *, relabel: bool = True,
                 add: bool = True) -> None:
        self.name = name
        self.relabel = relabel
        self.add = add

    def match(self, doc: Doc) -> list[Span]:
        """The document's entities, relabelled and completed."""
        ents = list(doc.ents)
        if self.relabel:
            majority = vote((e.text, e.label_) for e in ents if e.label_ not in _IGNORED_LABELS)
            ents = [
                Span(doc, e.start, e.end, label=majority[e.text], span_id=e.id)
                if e.text in majority and e.label_ not in _IGNORED_LABELS else e
                for e in ents
            ]
        if self.add:
            found = propagate(doc.text, [(e.start_char, e.end_char, e.label_) for e in ents])
            for s, e, label in found:
                span = doc.char_span(s, e, label=label)
                if span is not None:
                    ents.append(span)
        return ents

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        doc.ents = filter_spans(spans)


@Language.factory(
    "kg_consistency",
    assigns=["doc.ents"],
    requires=["doc.ents"],
    default_config={"relabel": True, "add": True},
)
def make_consistency(nlp: Language, name: str, relabel: bool, add: bool) -> Consistency:
    """Create the ``kg_consistency`` component."""
    return Consistency(name, relabel=relabel, add=add)
