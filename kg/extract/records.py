"""``kg extract``'s output records: the stable JSON contract of entities and relations per paper.

One record per paper::

    {"id", "title", "abstract",
     "entities": [{"text", "type", "start", "end", "field", "role", "id", "source", "confidence"}],
     "relations": [{"head", "tail", "type", "confidence"}]}

``start``/``end`` are character offsets into the paper's ``field`` (title or
abstract); an entity's ``id`` is its canonical entity id, the one graph.json
uses. ``head`` and ``tail`` index into the record's ``entities``; relation types
are ``used_for``, ``evaluated_on``, ``feature_of``, ``hyponym_of``, ``part_of``,
``compared_with`` and ``conjunction`` (the last two symmetric, head first in
the text). See docs/extraction.md.

>>> from kg.types import Paper, Mention
>>> from kg.extract import Extraction
>>> p = Paper(id="P-1", title="T", abstract="We use BERT.")
>>> m = Mention("P-1", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0, role="uses")
>>> (rec,) = extraction_records([Extraction(p, (m,), ())])
>>> rec["entities"][0]["text"], rec["relations"]
('BERT', [])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["extraction_records"]


def extraction_records(results: Sequence[Any]) -> list[dict[str, Any]]:
    """The records of *results* (:class:`~kg.extract.Extraction` objects), entities normalised together."""
    from ..normalize import normalise
    from .relations import relation_records

    resolved = normalise(m for r in results for m in r.mentions)
    out = []
    for r in results:
        kept = [m for m in r.mentions if m in resolved.mention_entity]
        ents = [
            {"text": m.text, "type": resolved.entities[resolved.mention_entity[m]].type, "start": m.start,
             "end": m.end, "field": m.field, "role": m.role, "id": resolved.mention_entity[m],
             "source": m.source, "confidence": m.confidence}
            for m in kept
        ]
        out.append({"id": r.paper.id, "title": r.paper.title, "abstract": r.paper.abstract,
                    "entities": ents, "relations": relation_records(r.relations, kept)})
    return out
