"""A gazetteer of well-known dataset, metric, method and task names, as a spaCy component.

The names live in ``kg/data/gazetteer.jsonl`` (``{"text": "ImageNet", "type": "dataset"}``
per line), written from general knowledge of the field. The ``kg_gazetteer``
component runs after the statistical ``ner`` and:

- adds a name the model missed, when no model entity overlaps it;
- widens a model entity that lies inside a longer known name
  ("Markov models" inside "hidden Markov models");
- corrects the type of a model entity that is exactly a known name, for the
  types the list is sure about (``dataset`` and ``metric`` by default: a
  model that calls BLEU a method is wrong, while "parsing" may be a task or a
  method depending on the sentence).

Acronyms and short capitalised names match case-sensitively ("SVM", "TAC");
other names match in any case ("Penn Treebank", "word error rate").

>>> import spacy
>>> nlp = spacy.blank("en")
>>> add_gazetteer(nlp)
>>> [(e.text, e.label_) for e in nlp("We report BLEU on WMT14 with an LSTM.").ents]
[('BLEU', 'metric'), ('WMT14', 'dataset'), ('LSTM', 'method')]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import NamedTuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..errors import InputError
from ._component import Component

__all__ = [
    "DEFAULT_GAZETTEER",
    "SOURCE",
    "Gazetteer",
    "GazetteerEntry",
    "add_gazetteer",
    "is_case_sensitive",
    "read_gazetteer",
]

#: The gazetteer shipped with kg.
DEFAULT_GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.jsonl"

#: ``ent_id_`` of the entities this component adds or changes (kg reports it as the source).
SOURCE = "gazetteer"

_TYPES = ("method", "dataset", "task", "metric", "concept")


class GazetteerEntry(NamedTuple):
    """One known name and its kg entity type."""

    text: str
    type: str


def read_gazetteer(path: str | PathLike[str] = DEFAULT_GAZETTEER) -> list[GazetteerEntry]:
    """Read gazetteer entries from JSONL (``{"text": ..., "type": ...}`` per line)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such gazetteer file", path=p)
    entries = []
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                entry = GazetteerEntry(str(rec["text"]), str(rec["type"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError("expected {\"text\": ..., \"type\": ...}", path=p,
                                 line=lineno) from None
            if entry.type not in _TYPES:
                raise InputError(f"unknown type {entry.type!r}", path=p, line=lineno,
                                 hint=f"use one of {', '.join(_TYPES)}")
            entries.append(entry)
    return entries


def is_case_sensitive(name: str) -> bool:
    """True for acronyms and short capitalised names, which must match case-exactly.

    >>> is_case_sensitive("SVM"), is_case_sensitive("TAC"), is_case_sensitive("Penn Treebank")
    (True, True, False)
    >>> is_case_sensitive("precision"), is_case_sensitive("mAP")
    (False, True)
    """
    if not any(c.isupper() for c in name):
        return False
    if len(name) <= 5:
        return True
    letters = [c for c in name if c.isalpha()]
    return sum(c.isupper() for c in letters) >= len(letters) / 2


class Gazetteer(Component):
    """The ``kg_gazetteer`` pipeline component (see the module docstring)."""

    def __init__(
        self,
        nlp: Language,
        name: str = "kg_gazetteer",
        *,
        path: str | None = None,
        relabel: Sequence[str] = ("dataset", "metric"),
        widen: bool = True,
        add: bool = True,
        entries: Iterable[GazetteerEntry] | None = None,
    ) -> None:
        self.name = name
        self.relabel = set(relabel)
        self.widen = widen
        self.add = add
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        if entries is None:
            entries = read_gazetteer(path or DEFAULT_GAZETTEER)
        self.types: dict[str, str] = {}
        for entry in entries:
            sensitive = is_case_sensitive(entry.text)
            key = entry.text if sensitive else entry.text.lower()
            self.types.setdefault(key, entry.type)
            matcher = self.exact if sensitive else self.lower
            matcher.add(entry.type, [nlp.make_doc(entry.text)])

    def match(self, doc: Doc) -> list[Span]:
        """Known names in *doc*, longest first where they overlap."""
        found = list(self.exact(doc)) + list(self.lower(doc))
        spans = [Span(doc, s, e, label=m, span_id=SOURCE) for m, s, e in found]
        return filter_spans(spans)

    def set_annotations(self, doc: Doc, matches: list[Span]) -> None:
        """Merge the known names in *matches* into ``doc.ents``."""
        if not matches:
            return
        ents = list(doc.ents)
        changed = False
        for g in matches:
            overlap = [e for e in ents if e.start < g.end and g.start < e.end]
            if not overlap:
                if self.add:
                    ents.append(g)
                    changed = True
                continue
            if len(overlap) == 1:
                e = overlap[0]
                if (e.start, e.end) == (g.start, g.end):
                    if g.label_ in self.relabel and e.label_ != g.label_:
                        ents[ents.index(e)] = Span(doc, e.start, e.end, label=g.label_,
                                                   span_id=SOURCE)
                        changed = True
                    continue
            if self.widen and all(g.start <= e.start and e.end <= g.end for e in overlap):
                label = g.label_ if g.label_ in self.relabel else overlap[-1].label_
                for e in overlap:
                    ents.remove(e)
                ents.append(Span(doc, g.start, g.end, label=label, span_id=SOURCE))
                changed = True
        if changed:
            doc.ents = filter_spans(ents)


@Language.factory(
    "kg_gazetteer",
    assigns=["doc.ents"],
    default_config={"path": None, "relabel": ["dataset", "metric"], "widen": True, "add": True},
)
def make_gazetteer(
    nlp: Language, name: str, path: str | None, relabel: list[str], widen: bool, add: bool
) -> Gazetteer:
    """Create the ``kg_gazetteer`` component (``path`` None: kg's shipped list)."""
    return Gazetteer(nlp, name, path=path, relabel=relabel, widen=widen, add=add)


def add_gazetteer(nlp: Language, **config) -> None:
    """Add kg's post-NER components to *nlp*, right after ``ner`` (or last).

    In order: ``kg_boundaries`` (span repair), ``kg_head_types`` (head-word
    types, when the pipeline's meta has a table), ``kg_gazetteer`` (known
    names; *config* goes to it). Calling this twice changes nothing.
    """
    from . import headtypes  # noqa: F401 - registers kg_head_types
    from .boundaries import add_boundaries

    add_boundaries(nlp)
    if "kg_head_types" not in nlp.pipe_names:
        nlp.add_pipe("kg_head_types", after="kg_boundaries")
    if "kg_gazetteer" not in nlp.pipe_names:
        nlp.add_pipe("kg_gazetteer", after="kg_head_types", config=config)
