"""Type entities by their head word, with a table learnt from the training data.

In scientific abstracts the last word of a name says a lot about its type:
"... parser" and "... algorithm" are methods, "... recognition" a task,
"... corpus" a dataset, "... rate" a metric. A small greedy NER confuses
these types more often than a plain count over its own training data does,
so ``kg train`` stores, for every head word seen at least ``min_count``
times with one type in at least ``min_share`` of them, that type in the
pipeline's ``meta.json`` (key ``kg_head_types``), and the
``kg_head_types`` component relabels the model's entities by it. Pipelines
without the table (any other spaCy model) pass through unchanged.

>>> table = head_type_table([("a CRF parser", "method"), ("the parser", "method"),
...                          ("LR parser", "method"), ("parser", "task"),
...                          ("speech recognition", "task")], min_count=2)
>>> table
{'parser': 'method'}
>>> head_word("hidden Markov models (HMMs).")
'hmms'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from spacy.language import Language
from spacy.tokens import Doc, Span

from ._component import Component

__all__ = ["META_KEY", "HeadTypes", "head_type_table", "head_word"]

#: Key of the head-word table in a pipeline's meta.json.
META_KEY = "kg_head_types"

_WORD = re.compile(r"[\w\-]+")
_KEEP = {"generic"}


def head_word(text: str) -> str:
    """The last word of *text*, lower-cased (the whole text if it has no word)."""
    words = _WORD.findall(text)
    return words[-1].lower() if words else text.lower()


def head_type_table(
    spans: Iterable[tuple[str, str]], *, min_count: int = 2, min_share: float = 0.7
) -> dict[str, str]:
    """Map head words to their dominant type, from ``(span text, type)`` pairs."""
    counts: dict[str, Counter[str]] = {}
    for text, label in spans:
        counts.setdefault(head_word(text), Counter())[label] += 1
    table = {}
    for head, c in sorted(counts.items()):
        label, n = c.most_common(1)[0]
        total = sum(c.values())
        if total >= min_count and n / total >= min_share:
            table[head] = label
    return table


class HeadTypes(Component):
    """The ``kg_head_types`` component: relabels entities whose head word is in the table."""

    def __init__(self, name: str = "kg_head_types", *, table: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.table = dict(table or {})

    def __call__(self, doc: Doc) -> Doc:
        if not self.table:
            return doc
        return super().__call__(doc)

    def match(self, doc: Doc) -> list[Span]:
        """The entities of *doc*, relabelled by head word where the table knows it."""
        out = []
        for ent in doc.ents:
            label = self.table.get(head_word(ent.text))
            if label and ent.label_ not in _KEEP and label != ent.label_:
                ent = Span(doc, ent.start, ent.end, label=label, span_id=ent.id)
            out.append(ent)
        return out

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        doc.ents = spans


@Language.factory("kg_head_types", assigns=["doc.ents"], requires=["doc.ents"],
                  default_config={"table": None})
def make_head_types(nlp: Language, name: str, table: dict[str, str] | None) -> HeadTypes:
    """Create ``kg_head_types``; without a ``table`` it reads the pipeline's meta (if any)."""
    if table is None:
        table = nlp.meta.get(META_KEY) or {}
    return HeadTypes(name, table=table)
