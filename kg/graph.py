"""The graph schema and its construction with NetworkX.

One ``networkx.MultiDiGraph``. Node ids are kg's stable ids; every node has
``kind`` (``"paper"`` or ``"entity"``). Edge keys name what an edge is:

========================  ==========================  ===========================================
edge                      key                         attributes
========================  ==========================  ===========================================
paper -> entity           ``"mention"``               ``role``, ``evidence`` (list of dicts), ``count``
entity -> entity          ``"co_occurs"``             ``weight`` = papers with both (smaller id first)
entity -> entity          ``"used_for"``              ``weight``, ``evidence`` (also
                          ``"evaluated_on"``,         ``"feature_of"``, ``"hyponym_of"``,
                          ``"part_of"``,              ``"compared_with"``, ``"conjunction"``)
========================  ==========================  ===========================================

Relation edges come from ``kg.extract.relations`` (learned, any two entity
types; ``compared_with`` and ``conjunction`` are symmetric, head first in the
text) or from cue patterns (method -> task ``used_for``, method -> dataset
``evaluated_on``); ``weight`` counts papers, each ``evidence`` record names the
sentence and carries the ``confidence``.

Paper nodes: ``title``, ``abstract``, ``authors``, ``date``, ``url``,
``doi``, ``venue``, ``identifier``, ``sources``. Entity nodes: ``type``,
``label``, ``key``, ``aliases`` (list of ``[text, count]``), ``papers``
(paper count), ``mentions`` (mention count).

Added after construction by ``kg build`` (not by :func:`build_graph`):
``community`` on every entity and ``G.graph["communities"]`` (see
:mod:`kg.communities`); ``first_year``, ``last_year`` and ``years``
(papers per year) on entities with dated papers (see :mod:`kg.trends`).

>>> from kg.types import Paper, Mention
>>> from kg.normalize import entity_id
>>> p = Paper(id="P-1", title="T", abstract="We use BERT.")
>>> m = Mention("P-1", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0, role="uses")
>>> G = build_graph([(p, [m], [])])
>>> sorted(G.nodes), G.edges["P-1", entity_id("method", "BERT"), "mention"]["role"]
(['P-1', 'method-2300a13449936cae'], 'uses')
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import networkx as nx

from ._gc import gc_paused
from .errors import InputError
from .normalize import Normalizer
from .types import RELATION_TYPES, ROLES, Mention, Paper, RelationMention

__all__ = [
    "CO_OCCURS",
    "ENTITY",
    "ENTITY_ATTRS",
    "EVALUATED_ON",
    "MENTION",
    "PAPER",
    "PAPER_ATTRS",
    "RELATION_ENDS",
    "RELATION_KEYS",
    "SCHEMA_VERSION",
    "USED_FOR",
    "build_graph",
    "entities_of",
    "entity_types",
    "evidence_record",
    "extractions_from_graph",
    "mention_from_evidence",
    "papers_of",
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
RELATION_KEYS = RELATION_TYPES  # used_for, evaluated_on, and the learned types after them
#: Relation key -> the entity types a cue-pattern relation links (head, tail). Learned relations
#: (kg.extract.relations) may link any two entity types, as SciERC's do.
RELATION_ENDS = {USED_FOR: ("method", "task"), EVALUATED_ON: ("method", "dataset")}

PAPER_ATTRS = ("title", "abstract", "authors", "date", "url", "doi", "venue", "identifier", "sources")
ENTITY_ATTRS = ("type", "label", "key", "aliases", "papers", "mentions")

_ROLE_RANK = {r: i for i, r in enumerate(ROLES)}


#: One object per offset and per confidence value used in evidence records (see evidence_record).
_SHARED_INTS: dict[int, int] = {}
_SHARED_FLOATS: dict[str, float] = {}  # float.hex() -> the float


def evidence_record(m: Mention) -> dict[str, Any]:
    """The evidence kept on an edge for one mention (plain JSON).

    ``long_form`` is only present on an acronym whose definition the paper
    gives: leaving the key out otherwise keeps each record at 10 keys, which
    CPython stores in a dict 40% smaller than one of 11 keys.
    """
    # Offsets, confidences and surface forms repeat across millions of records: each record points
    # at one shared object per value instead of its own copy (CPython caches only the ints up to
    # 256, and unpickling a worker's results makes new objects). Confidences take a handful of
    # values (one per extractor): sharing them saves 24 bytes a record, ~90 MB at 100k papers.
    ints = _SHARED_INTS.setdefault
    record = {
        "field": sys.intern(m.field),
        "start": ints(m.start, m.start),
        "end": ints(m.end, m.end),
        "text": sys.intern(m.text),
        "sentence": m.sentence,
        "sent_start": ints(m.sent_start, m.sent_start),
        "source": sys.intern(m.source),
        "confidence": _shared_float(m.confidence),
        "role": sys.intern(m.role),
        "type": sys.intern(m.type),
    }
    if m.long_form is not None:
        record["long_form"] = m.long_form
    return record


def relation_evidence_record(rel: RelationMention, paper_id: str) -> dict[str, Any]:
    """The evidence kept on an entity -> entity edge for one relation mention of *paper_id*
    (plain JSON).

    ``cue`` is only present on a cue pattern's relation: a learned relation has none, and
    leaving the key out keeps the record at 10 keys, which CPython stores in a dict 40%
    smaller than one of 11 (a 100k-paper build holds some 800k of these records). Values
    that repeat across records (offsets, surface forms, confidences, which are rounded to 3
    decimals) are shared objects, as in :func:`evidence_record`.
    """
    ints = _SHARED_INTS.setdefault
    head, tail = rel.head, rel.tail
    record = {
        "paper": paper_id, "field": sys.intern(head.field), "sentence": rel.sentence,
        "head": sys.intern(head.text), "tail": sys.intern(tail.text),
        "head_start": ints(head.start, head.start), "head_end": ints(head.end, head.end),
        "tail_start": ints(tail.start, tail.start), "tail_end": ints(tail.end, tail.end),
        "confidence": _shared_float(rel.confidence),
    }
    if rel.cue:
        record["cue"] = sys.intern(rel.cue)
    return record


def _shared_float(x: Any) -> Any:
    """One object per float value, told apart by its bits (``1.0`` and ``1``, ``0.0`` and ``-0.0``
    are equal as dict keys but are not the same JSON); anything else is returned as it is."""
    if type(x) is not float:
        return x
    return _SHARED_FLOATS.setdefault(x.hex(), x)


def mention_from_evidence(paper_id: str, ev: dict[str, Any]) -> Mention:
    """Inverse of :func:`evidence_record`: the Mention an evidence record was made from."""
    return Mention(paper_id=paper_id, field=ev["field"], start=ev["start"], end=ev["end"], text=ev["text"],
                   type=ev["type"], sentence=ev["sentence"], sent_start=ev["sent_start"], source=ev["source"],
                   confidence=ev["confidence"], role=ev["role"], long_form=ev.get("long_form"))


def _ev_sort(ev: dict[str, Any]) -> tuple[int, int, int]:
    return (0 if ev["field"] == "title" else 1, ev["start"], ev["end"])


def build_graph(
    extractions: Iterable[tuple[Paper, Sequence[Mention], Sequence[RelationMention]]],
    *,
    cooccurrence: bool = True,
    min_cooccurrence: int = 1,
    fixed_types: dict[str, str] | None = None,
    communities: bool = False,
) -> nx.MultiDiGraph:
    """Build kg's graph from per-paper mentions and relations.

    Parameters
    ----------
    extractions : iterable of (Paper, mentions, relations)
        What :func:`kg.extract.extract_papers` yields, as tuples or
        :class:`~kg.extract.Extraction` objects.
    cooccurrence : bool
        Add ``co_occurs`` edges between entities of the same paper.
    min_cooccurrence : int
        Keep a ``co_occurs`` edge only for pairs found together in at least
        this many papers. Most pairs meet once; on large corpora 2 keeps the
        graph (and its memory) several times smaller.
    fixed_types : dict, optional
        Compact canonical key -> entity type to keep instead of re-voting
        (see :func:`entity_types`); used by ``kg build --update``.
    communities : bool
        Also do what :func:`kg.communities.assign_communities` does, with
        Leiden run on the co-occurrence counts before they become edges: the
        same communities, without Leiden's memory on top of the finished
        graph's (``kg build`` does this).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes and edges in a deterministic order (papers as read, entities by id).
    """
    papers: list[Paper] = []
    per_paper: list[tuple[Sequence[Mention], Sequence[RelationMention]]] = []
    normalizer = Normalizer(fixed_types=fixed_types)
    seen: set[str] = set()
    for item in extractions:
        paper, mentions, relations = (item.paper, item.mentions, item.relations) if hasattr(item, "paper") else item
        if paper.id in seen:
            raise InputError(f"paper {paper.id!r} is given twice to build_graph",
                             hint="merge duplicate papers first (kg.read_papers does)")
        seen.add(paper.id)
        if not isinstance(mentions, Sequence):  # a generator, say: it is walked twice
            mentions = tuple(mentions)
        papers.append(paper)
        per_paper.append((mentions, relations))
        normalizer.add(mentions)
    with gc_paused():  # millions of acyclic dicts and lists follow (see kg._gc)
        entities, entity_ids = normalizer.resolve_ids()  # one id per mention, in the order added
        del normalizer  # it holds every mention; from here each paper's are freed once linked

        G = nx.MultiDiGraph(schema=SCHEMA_VERSION)
        for paper in papers:
            G.add_node(paper.id, kind=PAPER, **{a: _plain(getattr(paper, a)) for a in PAPER_ATTRS})
        # every entity has a mention, so every entity gets a paper; counts are filled in below
        entity_nodes = G._node
        for eid in sorted(entities):
            e = entities[eid]
            G.add_node(eid, kind=ENTITY, type=e.type, label=e.label, key=e.key,
                       aliases=[[a, c] for a, c in e.aliases], papers=0, mentions=0)

        cooc = _PairCounter(sorted(entities)) if cooccurrence else None
        rel_edges: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        rel_papers: dict[tuple[str, str, str], set[str]] = defaultdict(set)

        next_id = 0  # index into entity_ids of this paper's first mention
        for i, paper in enumerate(papers):
            mentions, relations = per_paper[i]
            per_paper[i] = None  # type: ignore[call-overload]  # free each paper's mentions once linked
            ids = entity_ids[next_id:next_id + len(mentions)]
            next_id += len(mentions)
            by_entity: dict[str, list[Mention]] = defaultdict(list)
            for m, eid in zip(mentions, ids):
                if eid is not None:
                    by_entity[eid].append(m)
            eids = sorted(by_entity)
            new_edges: list[tuple[str, str, str, dict[str, Any]]] = []
            for eid in eids:
                ms = by_entity[eid]
                role = ms[0].role if len(ms) == 1 else min((m.role for m in ms), key=lambda r: _ROLE_RANK.get(r, 99))
                # most edges have one record: a list literal holds it without sorted()'s spare slots
                evidence = [evidence_record(ms[0])] if len(ms) == 1 else \
                    sorted([evidence_record(m) for m in ms], key=_ev_sort)
                new_edges.append((paper.id, eid, MENTION,
                                  {"kind": MENTION, "role": role, "evidence": evidence, "count": len(ms)}))
                node = entity_nodes[eid]
                node["papers"] += 1
                node["mentions"] += len(ms)
            _add_new_edges(G, new_edges)
            if cooc is not None:
                cooc.add(eids)
            linked = dict(zip(mentions, ids)) if relations else {}
            for rel in relations:
                h, t = linked.get(rel.head), linked.get(rel.tail)
                if h is None or t is None or h == t:
                    continue
                # a cue pattern's relation must still fit the entity types after normalisation
                if rel.cue and (entity_nodes[h]["type"], entity_nodes[t]["type"]) != RELATION_ENDS.get(rel.type):
                    continue
                rel_edges[(h, t, rel.type)].append(relation_evidence_record(rel, paper.id))
                rel_papers[(h, t, rel.type)].add(paper.id)
        del per_paper, entity_ids, entities

        membership = None
        if cooc is not None:
            codes, counts = cooc.take(min_count=min_cooccurrence)
            if communities:  # the pairs exactly as they become co_occurs edges, a < b, sorted
                from .communities import pair_communities

                heads, tails = cooc.split(codes)
                membership = pair_communities(cooc.names, heads, tails, counts.astype("float64"))
                del heads, tails
            # the pairs are new, so their edges go straight into the adjacency dicts (_add_new_edges,
            # inlined: co-occurrence is most of a large graph's edges)
            succ, pred = G._succ, G._pred
            for heads, tails, weights in cooc.columns(codes, counts):
                for a, b, w in zip(heads, tails, weights):
                    succ[a][b] = pred[b][a] = {CO_OCCURS: {"kind": CO_OCCURS, "weight": w}}
            del cooc, codes, counts
        for (h, t, rtype) in sorted(rel_edges):
            ev = rel_edges[(h, t, rtype)]
            G.add_edge(h, t, key=rtype, kind=rtype, weight=len(rel_papers[(h, t, rtype)]), evidence=ev)
        nx._clear_cache(G)
    if communities:
        from .communities import assign_communities, write_communities

        if membership is None:
            assign_communities(G)
        else:
            write_communities(G, membership)
    return G


def _add_new_edges(G: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add edges between nodes already in *G* where no edge u -> v exists yet.

    The caller clears networkx's cache (``nx._clear_cache(G)``) once it is done.

    Does what ``G.add_edge(u, v, key=key, **attrs)`` does for a new pair
    (same adjacency order, same dicts) without its per-call checks and cache
    clearing: with millions of co-occurrence edges, ``add_edge`` alone was
    about 40% of the graph stage.
    """
    succ, pred = G._succ, G._pred
    for u, v, key, attrs in edges:
        keydict = {key: attrs}
        succ[u][v] = keydict
        pred[v][u] = keydict


class _PairCounter:
    """Papers per pair of entities, as int64 pair codes (numpy) instead of a Counter of string tuples.

    A paper with k entities adds k(k-1)/2 pairs; at 100k papers that is tens of
    millions of increments, which a Counter keyed by (str, str) tuples holds as
    Python objects. Here each pair is one int64 code, ``index(a) * n + index(b)``
    with entities indexed in sorted order, so sorting the codes sorts the pairs
    by (a, b) exactly as ``sorted(counter.items())`` did. Codes are folded into
    (unique codes, counts) whenever the buffer grows past ``fold_at``.

    >>> c = _PairCounter(["a", "b", "c"])
    >>> c.add(["a", "b", "c"]); c.add(["b", "c"])
    >>> list(c.items())
    [('a', 'b', 1), ('a', 'c', 1), ('b', 'c', 2)]
    >>> list(c.items(min_count=2))
    [('b', 'c', 2)]
    """

    def __init__(self, names: Sequence[str], *, fold_at: int = 1 << 22) -> None:
        import numpy as np

        self._np = np
        self.names = list(names)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.n = len(self.names)
        self.fold_at = fold_at
        self._buffer: list[Any] = []
        self._buffered = 0
        self._codes = np.empty(0, dtype=np.int64)
        self._counts = np.empty(0, dtype=np.int64)
        self._triu: dict[int, tuple[Any, Any]] = {}

    def add(self, sorted_names: Sequence[str]) -> None:
        """Count every pair of *sorted_names* (distinct, in sorted order) once."""
        k = len(sorted_names)
        if k < 2:
            return
        np = self._np
        if k not in self._triu:
            self._triu[k] = np.triu_indices(k, 1)
        i, j = self._triu[k]
        ids = np.fromiter((self.index[name] for name in sorted_names), dtype=np.int64, count=k)
        self._buffer.append(ids[i] * self.n + ids[j])
        self._buffered += len(i)
        if self._buffered >= self.fold_at:
            self._fold()

    def _fold(self) -> None:
        """Merge the buffered codes into the sorted (codes, counts) arrays.

        The buffer is sorted and run-length counted on its own, then merged by binary search:
        the transient memory is about two copies of the arrays, where ``np.unique`` over
        the concatenation (its sort permutation, inverse and float weights) took four or
        more, at the end of the graph stage when the graph is nearly built.
        """
        np = self._np
        if not self._buffer:
            return
        new = np.concatenate(self._buffer)
        self._buffer, self._buffered = [], 0
        new.sort()
        first = np.empty(len(new), dtype=bool)
        first[:1] = True
        np.not_equal(new[1:], new[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        new_counts = np.diff(np.append(starts, len(new)))
        new = new[starts]
        del starts
        old, counts = self._codes, self._counts
        pos = np.searchsorted(old, new)
        hit = pos < len(old)
        hit[hit] = old[pos[hit]] == new[hit]
        counts[pos[hit]] += new_counts[hit]  # the positions are distinct: new holds each code once
        miss = ~hit
        self._codes = np.insert(old, pos[miss], new[miss])
        self._counts = np.insert(counts, pos[miss], new_counts[miss])

    def take(self, min_count: int = 1) -> tuple[Any, Any]:
        """The (codes, counts) arrays of the pairs seen in at least *min_count* papers, sorted,
        emptying the counter; :meth:`columns` turns them into names a slice at a time.

        The unfiltered arrays (16 bytes a pair, hundreds of MB at 100k papers) are
        then freed while the caller turns the kept pairs into edges, instead of
        living on next to the finished graph; columns spare a tuple per pair.

        >>> c = _PairCounter(["a", "b", "c"]); c.add(["a", "b", "c"]); c.add(["b", "c"])
        >>> [x.tolist() for x in c.take(2)], list(c.items())
        ([[5], [2]], [])
        >>> c.add(["a", "b"]); list(c.columns(*c.take()))
        [(['a'], ['b'], [1])]
        """
        codes, counts = self._filtered(min_count)
        self._codes = self._counts = self._np.empty(0, dtype=self._np.int64)
        return codes, counts

    def split(self, codes: Any) -> tuple[Any, Any]:
        """The (head, tail) name indexes of pair *codes*, as two arrays."""
        return self._np.divmod(codes, self.n)

    def items(self, min_count: int = 1) -> Iterator[tuple[str, str, int]]:
        """(a, b, papers) for every pair seen in at least *min_count* papers, a < b, sorted by (a, b).

        Pairs are filtered first and turned into Python objects a slice at a time: at 100k papers
        there are tens of millions of pairs, and lists of them all would cost gigabytes.
        """
        for heads, tails, weights in self.columns(*self._filtered(min_count)):
            yield from zip(heads, tails, weights)

    def _filtered(self, min_count: int) -> tuple[Any, Any]:
        self._fold()
        if min_count > 1:
            keep = self._counts >= min_count
            return self._codes[keep], self._counts[keep]
        return self._codes, self._counts

    def columns(self, codes: Any, counts: Any) -> Iterator[tuple[list[str], list[str], list[int]]]:
        """(heads, tails, weights) lists of names and counts, a slice of *codes* at a time."""
        name = self.names.__getitem__
        step = 1 << 16
        for lo in range(0, len(codes), step):
            heads, tails = self.split(codes[lo:lo + step])
            yield list(map(name, heads.tolist())), list(map(name, tails.tolist())), counts[lo:lo + step].tolist()


@gc_paused()  # one Mention per evidence record: millions on a large graph
def extractions_from_graph(G: nx.MultiDiGraph) -> list[tuple[Paper, list[Mention], list[RelationMention]]]:
    """Recover the papers, mentions and relations a graph was built from.

    Evidence keeps every mention whole, so ``build_graph(extractions_from_graph(G))``
    gives *G* again (a graph built before learned relations' evidence left out an empty
    ``"cue"`` loses those keys); ``kg build --update`` adds new papers this way without
    re-extracting the old ones.
    """
    out: list[tuple[Paper, list[Mention], list[RelationMention]]] = []
    index: dict[str, int] = {}
    by_offsets: dict[tuple[str, str, int, int], Mention] = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") != PAPER:
            continue
        paper = Paper(id=node, **{a: (tuple(data[a]) if isinstance(data.get(a), list) else data.get(a))
                                  for a in PAPER_ATTRS})
        index[node] = len(out)
        out.append((paper, [], []))
    for u, _, k, data in G.edges(keys=True, data=True):
        if k == MENTION:
            for ev in data["evidence"]:
                m = mention_from_evidence(u, ev)
                out[index[u]][1].append(m)
                by_offsets[(u, m.field, m.start, m.end)] = m
    for _, mentions, _ in out:
        mentions.sort(key=lambda m: (0 if m.field == "title" else 1, m.start, m.end))
    for _, _, k, data in G.edges(keys=True, data=True):
        if k in RELATION_KEYS:
            for ev in data["evidence"]:
                head = by_offsets.get((ev["paper"], ev["field"], ev["head_start"], ev["head_end"]))
                tail = by_offsets.get((ev["paper"], ev["field"], ev["tail_start"], ev["tail_end"]))
                if head is not None and tail is not None:
                    out[index[ev["paper"]]][2].append(
                        RelationMention(ev["paper"], k, head, tail, ev.get("cue", ""), ev["sentence"],
                                        ev.get("confidence", 0.6)))
    return out


def entity_types(G: nx.MultiDiGraph) -> dict[str, str]:
    """Compact canonical key -> type of every entity in *G*."""
    from .normalize import compact_key

    return {compact_key(d["key"]): d["type"] for _, d in G.nodes(data=True) if d.get("kind") == ENTITY}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def papers_of(G: nx.MultiDiGraph, entity: str) -> list[str]:
    """Ids of the papers linked to *entity*, in graph order."""
    return [u for u, _, k in G.in_edges(entity, keys=True) if k == MENTION]


def entities_of(G: nx.MultiDiGraph, paper: str) -> list[str]:
    """Ids of the entities linked from *paper*."""
    return [v for _, v, k in G.out_edges(paper, keys=True) if k == MENTION]
