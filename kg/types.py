"""Small typed records that kg's stages hand to each other.

``read`` yields :class:`Paper`, ``extract`` yields :class:`Mention` and
:class:`RelationMention`, ``normalize`` turns mentions into :class:`Entity`.
No spaCy object crosses a stage boundary: these hold strings, numbers and
tuples only, so they pickle cheaply (for worker processes and Dask) and
serialise to JSON.

>>> from kg.types import Paper
>>> p = Paper(id="P-0", title="A title", abstract="An abstract.")
>>> p.field("title")
'A title'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any

from .errors import ArgumentError

__all__ = [
    "ENTITY_TYPES",
    "RELATION_TYPES",
    "ROLES",
    "Entity",
    "Mention",
    "Paper",
    "RelationMention",
]

#: Entity types kg extracts, in a fixed order (used to break ties).
ENTITY_TYPES: tuple[str, ...] = ("method", "dataset", "task", "metric", "concept")

#: Roles of a paper -> entity edge, strongest first.
ROLES: tuple[str, ...] = ("proposes", "evaluates_on", "uses", "mentions")

#: Entity -> entity relations inside a sentence (cue patterns give the first two; kg.extract.relations all).
RELATION_TYPES: tuple[str, ...] = ("used_for", "evaluated_on", "feature_of", "hyponym_of", "part_of",
                                   "compared_with", "conjunction")


@dataclass(frozen=True)
class Paper:
    """One paper: a title and an abstract, plus whatever metadata the input had.

    ``sources`` lists every ``file:line`` the paper was read from; the same
    paper read twice (same normalised title) is one paper with both sources.
    """

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    date: str | None = None
    url: str | None = None
    doi: str | None = None
    venue: str | None = None
    identifier: str | None = None
    sources: tuple[str, ...] = ()

    def field(self, name: str) -> str:
        """Return the text of field *name* (``"title"`` or ``"abstract"``)."""
        if name == "title":
            return self.title
        if name == "abstract":
            return self.abstract
        raise ArgumentError(f"unknown field {name!r}", hint="use 'title' or 'abstract'")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (lists instead of tuples)."""
        d = asdict(self)
        d["authors"] = list(self.authors)
        d["sources"] = list(self.sources)
        return d


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention in one field of one paper.

    ``start``/``end`` are character offsets into ``Paper.field(field)``;
    ``sentence`` is the text of the sentence that holds it and
    ``sent_start`` that sentence's offset in the field.
    ``source`` says what found it: ``"model"``, ``"acronym"`` or ``"rule"``; ``"rule"`` also
    covers the gazetteer of known names (``kg_gazetteer``), whose hits carry the gazetteer's
    own ``confidence`` (see :data:`kg.extract.runner.SOURCE_CONFIDENCE`). The label is kept
    for the ``kg extract`` contract and the graph's evidence.
    ``long_form`` is set on an acronym whose definition the paper gives, so
    normalisation can merge both forms.
    """

    paper_id: str
    field: str
    start: int
    end: int
    text: str
    type: str
    sentence: str
    sent_start: int
    source: str = "model"
    confidence: float = 1.0
    role: str = "mentions"
    long_form: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickle as the constructor's arguments: twice as fast both ways as the default for a
        # frozen dataclass with slots, and worker processes send millions of mentions home.
        return (Mention, _mention_args(self))


#: A Mention's fields in constructor order, as one tuple (for pickling).
_mention_args = attrgetter(*(f.name for f in fields(Mention)))


@dataclass(frozen=True)
class RelationMention:
    """A relation between two mentions of one sentence, found by a cue pattern or learned.

    ``cue`` is the text between the two for a cue pattern, ``""`` for a learned
    relation; ``confidence`` is the classifier's probability, or kg's prior for cues.
    """

    paper_id: str
    type: str
    head: Mention
    tail: Mention
    cue: str
    sentence: str
    confidence: float = 0.6


@dataclass(frozen=True)
class Entity:
    """A canonical entity: all mentions whose canonical key matched.

    ``aliases`` maps each surface form to how often it occurred; ``label``
    is the most frequent of them.
    """

    id: str
    type: str
    key: str
    label: str
    aliases: tuple[tuple[str, int], ...] = field(default_factory=tuple)
