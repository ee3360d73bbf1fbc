"""The graph schema and its construction with NetworkX.

One ``networkx.MultiDiGraph``. Node ids are kg's stable ids; every node has
``kind`` (``"paper"`` or ``"entity"``). Edge keys name what an edge is:

========================  ==========================  ===========================================
edge                      key                         attributes
========================  ==========================  ===========================================
paper -> entity           ``"mention"``               ``role``, ``evidence`` (list of dicts), ``count``
entity -> entity          ``"co_occurs"``             ``weight`` = papers with both (smaller id first)
method -> task            ``"used_for"``              ``weight``, ``evidence``
method -> dataset         ``"evaluated_on"``          ``weight``, ``evidence``
========================  ==========================  ===========================================

Paper nodes: ``title``, ``abstract``, ``authors``, ``date``, ``url``,
``doi``, ``venue``, ``identifier``, ``sources``. Entity nodes: ``type``,
``label``, ``key``, ``aliases`` (list of ``[text, count]``), ``papers``
(paper count), ``mentions`` (mention count).

>>> from kg.types import Paper, Mention
>>> p = Paper(id="P-1", title="T", abstract="We use BERT.")
>>> m = Mention("P-1", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0, role="uses")
>>> G = build_graph([(p, [m], [])])
>>> sorted(G.nodes), G.edges["P-1", entity_id("method", "BERT"), "mention"]["role"]
(['P-1', 'method-2300a13449936cae'], 'uses')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

import networkx as nx

from .normalize import Normalizer, entity_id
from .types import ROLES, Mention, Paper, RelationMention

__all__ = [
    "SCHEMA_VERSION",
    "PAPER",
    "ENTITY",
    "MENTION",
    "CO_OCCURS",
    "USED_FOR",
    "EVALUATED_ON",
    "RELATION_KEYS",
    "PAPER_ATTRS",
    "ENTITY_ATTRS",
    "build_graph",
    "evidence_record",
    "papers_of",
    "entities_of",
]

SCHEMA_VERSION = 1

#: Node kinds.
PAPER = "paper"
ENTITY = "entity"

#: Edge keys.
MENTION = "mention"
CO_OCCURS = "co_occurs"
USED_FOR = "used_for"
EVALUATED_ON = "evaluated_on"
RELATION_KEYS = (USED_FOR, EVALUATED_ON)

PAPER_ATTRS = ("title", "abstract", "authors", "date", "url", "doi", "venue", "identifier", "sources")
ENTITY_ATTRS = ("type", "label", "key", "aliases", "papers", "mentions")

_ROLE_RANK = {r: i for i, r in enumerate(ROLES)}


def evidence_record(m: Mention) -> dict[str, Any]:
    """The evidence kept on an edge for one mention (plain JSON)."""
    return {
        "field": m.field,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "sentence": m.sentence,
        "sent_start": m.sent_start,
        "source": m.source,
        "confidence": m.confidence,
        "role": m.role,
    }


def _ev_sort(ev: dict[str, Any]) -> tuple[int, int, int]:
    return (0 if ev["field"] == "title" else 1, ev["start"], ev["end"])


def build_graph(
    extractions: Iterable[tuple[Paper, Sequence[Mention], Sequence[RelationMention]]],
    *,
    cooccurrence: bool = True,
) -> nx.MultiDiGraph:
    """Build kg's graph from per-paper mentions and relations.

    Parameters
    ----------
    extractions : iterable of (Paper, mentions, relations)
        What :func:`kg.extract.extract_papers` yields, as tuples or
        :class:`~kg.extract.Extraction` objects.
    cooccurrence : bool
        Add ``co_occurs`` edges between entities of the same paper.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes and edges in a deterministic order (papers as read, entities by id).
    """
    papers: list[Paper] = []
    per_paper: list[tuple[Sequence[Mention], Sequence[RelationMention]]] = []
    normalizer = Normalizer()
    for item in extractions:
        paper, mentions, relations = (item.paper, item.mentions, item.relations) if hasattr(item, "paper") else item
        papers.append(paper)
        per_paper.append((mentions, relations))
        normalizer.add(mentions)
    resolved = normalizer.resolve()
    ment_ent = resolved.mention_entity

    G = nx.MultiDiGraph(schema=SCHEMA_VERSION)
    for paper in papers:
        G.add_node(paper.id, kind=PAPER, **{a: _plain(getattr(paper, a)) for a in PAPER_ATTRS})

    paper_count: Counter[str] = Counter()
    mention_count: Counter[str] = Counter()
    paper_edges: list[tuple[str, str, dict[str, Any]]] = []
    cooc: Counter[tuple[str, str]] = Counter()
    rel_edges: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    rel_papers: dict[tuple[str, str, str], set[str]] = defaultdict(set)

    for paper, (mentions, relations) in zip(papers, per_paper):
        by_entity: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            if m in ment_ent:
                by_entity[ment_ent[m]].append(m)
        for eid in sorted(by_entity):
            ms = by_entity[eid]
            role = min((m.role for m in ms), key=lambda r: _ROLE_RANK.get(r, 99))
            evidence = sorted((evidence_record(m) for m in ms), key=_ev_sort)
            paper_edges.append((paper.id, eid, {"kind": MENTION, "role": role, "evidence": evidence,
                                                "count": len(ms)}))
            paper_count[eid] += 1
            mention_count[eid] += len(ms)
        if cooccurrence:
            for a, b in combinations(sorted(by_entity), 2):
                cooc[(a, b)] += 1
        for rel in relations:
            h, t = ment_ent.get(rel.head), ment_ent.get(rel.tail)
            if h is None or t is None or h == t:
                continue
            # the relation must still fit the entity types after normalisation
            if not (h.startswith("method-") and t.startswith("task-" if rel.type == USED_FOR else "dataset-")):
                continue
            rel_edges[(h, t, rel.type)].append({
                "paper": paper.id, "field": rel.head.field, "sentence": rel.sentence, "cue": rel.cue,
                "head": rel.head.text, "tail": rel.tail.text,
            })
            rel_papers[(h, t, rel.type)].add(paper.id)

    for eid in sorted(resolved.entities):
        if eid not in paper_count:
            continue
        e = resolved.entities[eid]
        G.add_node(eid, kind=ENTITY, type=e.type, label=e.label, key=e.key,
                   aliases=[[a, c] for a, c in e.aliases], papers=paper_count[eid],
                   mentions=mention_count[eid])
    for u, v, attrs in paper_edges:
        G.add_edge(u, v, key=MENTION, **attrs)
    for (a, b), w in sorted(cooc.items()):
        G.add_edge(a, b, key=CO_OCCURS, kind=CO_OCCURS, weight=w)
    for (h, t, rtype) in sorted(rel_edges):
        ev = rel_edges[(h, t, rtype)]
        G.add_edge(h, t, key=rtype, kind=rtype, weight=len(rel_papers[(h, t, rtype)]), evidence=ev)
    return G


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def papers_of(G: nx.MultiDiGraph, entity: str) -> list[str]:
    """Ids of the papers linked to *entity*, in graph order."""
    return [u for u, _, k in G.in_edges(entity, keys=True) if k == MENTION]


def entities_of(G: nx.MultiDiGraph, paper: str) -> list[str]:
    """Ids of the entities linked from *paper*."""
    return [v for _, v, k in G.out_edges(paper, keys=True) if k == MENTION]
