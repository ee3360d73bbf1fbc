"""Query a built graph: neighbours, papers, evidence, related entities, fuzzy search.

>>> import kg                                         # doctest: +SKIP
>>> g = kg.load("exports")                            # doctest: +SKIP
>>> [n.label for n in g.neighbors("recurrent neural network", type="method")][:2]   # doctest: +SKIP
['neural networks', 'approximation theory']
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .communities import Community, read_communities
from .errors import ArgumentError, KGError, NotFoundError
from .graph import CO_OCCURS, ENTITY, MENTION, PAPER
from .neighbourhood import hop_distances
from .normalize import canonical_key, compact_key
from .paths import export_paths
from .trends import Trend, trending
from .types import ENTITY_TYPES, ROLES

__all__ = ["Hit", "KnowledgeGraph", "load"]

_ROLE_RANK = {r: i for i, r in enumerate(ROLES)}


@dataclass(frozen=True)
class Hit:
    """A node in a query answer: its id, label, kind (paper/entity), entity type, and a score.

    ``score`` is what the answer ranks by: co-occurrence weight, paper count,
    fuzzy-match similarity; ``hops`` the distance from the query node;
    ``role`` the paper -> entity role where one applies.
    """

    id: str
    label: str
    kind: str
    type: str | None = None
    score: float = 0.0
    hops: int | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def load(path: str | os.PathLike[str] = "exports") -> KnowledgeGraph:
    """Load a graph that ``kg build`` wrote: its output folder or its ``graph.json``.

    Returns a :class:`KnowledgeGraph`. A folder without ``graph.json``, or a
    file that is not one, raises :class:`~kg.errors.InputError`.

    >>> g = load("exports")        # doctest: +SKIP
    """
    from .export.json import read_graph

    paths = export_paths(path)
    return KnowledgeGraph(read_graph(paths.require_graph()), path=paths.dir)


class KnowledgeGraph:
    """A built kg graph with query methods. ``.graph`` is the NetworkX graph itself.

    Names are resolved leniently: a node id, an entity label or alias (any
    case, hyphen or plural variant), or a paper title. An unknown name raises
    :class:`~kg.errors.NotFoundError` listing the closest labels.
    """

    def __init__(self, graph: nx.MultiDiGraph, *, path: str | os.PathLike[str] | None = None) -> None:
        self.graph = graph
        self.path = Path(path) if path is not None else None
        self._index: dict[str, list[str]] | None = None

    def __repr__(self) -> str:
        n_papers = sum(1 for _, k in self.graph.nodes(data="kind") if k == PAPER)
        return f"<KnowledgeGraph {n_papers} papers, {self.graph.number_of_nodes() - n_papers} entities>"

    # -- name resolution -------------------------------------------------
    def _names(self) -> dict[str, list[str]]:
        if self._index is None:
            index: dict[str, list[str]] = {}
            for node, data in self.graph.nodes(data=True):
                names = [data.get("label") or "", data.get("title") or ""]
                names += [a for a, _ in data.get("aliases", [])]
                for name in names:
                    if not name:
                        continue
                    for key in {name.casefold(), compact_key(canonical_key(name))}:
                        if key and node not in index.setdefault(key, []):
                            index[key].append(node)
            self._index = index
        return self._index

    def label(self, node: str) -> str:
        data = self.graph.nodes[node]
        return data.get("label") or data.get("title") or node

    def resolve(self, name: str, *, kind: str | None = None) -> str:
        """The node id for *name* (an id, label, alias or paper title).

        Where several entities share the name, the one in most papers wins.
        Raises :class:`~kg.errors.NotFoundError` for an unknown name and
        :class:`~kg.errors.ArgumentError` for a *name* that is not a string
        or a *kind* other than ``"paper"``/``"entity"``.
        """
        _check_name(name)
        _check_kind(kind)
        if name in self.graph and (kind is None or self.graph.nodes[name].get("kind") == kind):
            return name
        names = self._names()
        for key in (name.casefold(), compact_key(canonical_key(name))):
            nodes = [n for n in names.get(key, []) if kind is None or self.graph.nodes[n].get("kind") == kind]
            if nodes:
                return max(nodes, key=lambda n: (self.graph.nodes[n].get("papers", 0), n))
        close = [h.label for h in self.find(name, limit=5, kind=kind)]
        hint = "closest: " + "; ".join(repr(c) for c in close) if close else "try `kg query find TEXT`"
        what = kind or "entity or paper"
        raise NotFoundError(f"no {what} named {name!r}", hint=hint)

    def _hit(self, node: str, **extra: Any) -> Hit:
        data = self.graph.nodes[node]
        return Hit(id=node, label=self.label(node), kind=data.get("kind", "?"), type=data.get("type"), **extra)

    # -- queries -----------------------------------------------------------
    def neighbors(self, name_or_id: str, *, type: str | None = None, hops: int = 1,
                  limit: int | None = None) -> list[Hit]:
        """Nodes within *hops* of a node, over all edge kinds, nearest and strongest first.

        Steps go both ways along every edge, ``co_occurs`` included (see
        :func:`kg.neighbourhood.hop_distances`).

        Parameters
        ----------
        name_or_id : str
        type : str, optional
            Keep only entities of this type, or ``"paper"`` for papers.
        hops : int
            How far to go (1 = direct neighbours).
        limit : int, optional
            Return at most this many (all by default).

        Returns
        -------
        list of Hit
            Nearest first (``hops``), then by link strength (``score``): the
            papers two entities share plus the evidence of the relations
            between them, or the mentions between a paper and an entity;
            nodes further than one hop score their paper count. Ties go to
            the entity in more papers.

        Raises
        ------
        NotFoundError
            *name_or_id* is not in the graph.
        ArgumentError
            A bad *type*, *hops* or *limit*.
        """
        _check_type(type)
        _check_count("hops", hops)
        _check_count("limit", limit, optional=True)
        start = self.resolve(name_or_id)
        G = self.graph
        dist = hop_distances(G, start, hops)
        hits = []
        for node, d in dist.items():
            if node == start or not _type_ok(G, node, type):
                continue
            hits.append(self._hit(node, hops=d, score=float(_strength(G, start, node))))
        hits.sort(key=lambda h: (h.hops, -h.score, *self._tiebreak(h)))
        return hits[:limit]

    def _tiebreak(self, h: Hit) -> tuple[int, str, str]:
        """Among equally strong hits: the node in more papers (a paper: with more entities), then by label."""
        data = self.graph.nodes[h.id]
        weight = data.get("papers") if h.kind == ENTITY else self.graph.out_degree(h.id)
        return (-(weight if isinstance(weight, int) else 0), h.label.casefold(), h.id)

    def papers(self, entity: str) -> list[Hit]:
        """Papers linked to an entity (list of :class:`Hit`), the ones that propose it first.

        Raises :class:`~kg.errors.NotFoundError` for an unknown entity.
        """
        node = self.resolve(entity, kind=ENTITY)
        hits = []
        for u, _, k, data in self.graph.in_edges(node, keys=True, data=True):
            if k == MENTION:
                hits.append(self._hit(u, role=data["role"], score=float(data.get("count", 1))))
        hits.sort(key=lambda h: (_ROLE_RANK.get(h.role or "", 9), -h.score, h.label.casefold(), h.id))
        return hits

    def entities(self, paper: str, *, type: str | None = None) -> list[Hit]:
        """Entities of a paper (list of :class:`Hit`), optionally of one type, by role then mention count.

        Raises :class:`~kg.errors.NotFoundError` for an unknown paper and
        :class:`~kg.errors.ArgumentError` for an unknown *type*.
        """
        _check_type(type)
        node = self.resolve(paper, kind=PAPER)
        hits = []
        for _, v, k, data in self.graph.out_edges(node, keys=True, data=True):
            if k == MENTION and _type_ok(self.graph, v, type):
                hits.append(self._hit(v, role=data["role"], score=float(data.get("count", 1))))
        hits.sort(key=lambda h: (_ROLE_RANK.get(h.role or "", 9), -h.score, h.label.casefold(), h.id))
        return hits

    def evidence(self, paper: str, entity: str) -> list[dict[str, Any]]:
        """The mentions that link *paper* to *entity*: a list of dicts with field, offsets, sentence,
        source, confidence. Raises :class:`~kg.errors.NotFoundError` if either is unknown or the
        paper does not mention the entity."""
        p = self.resolve(paper, kind=PAPER)
        e = self.resolve(entity, kind=ENTITY)
        data = self.graph.get_edge_data(p, e, key=MENTION)
        if data is None:
            raise NotFoundError(f"paper {self.label(p)!r} does not mention {self.label(e)!r}",
                                hint=f"see `kg query entities {p}`")
        return [dict(ev) for ev in data["evidence"]]

    def related(self, entity: str, *, top: int = 10) -> list[Hit]:
        """The *top* entities that co-occur with *entity* in the most papers (list of :class:`Hit`,
        ``score`` = shared papers; ties go to the entity in more papers).

        Raises :class:`~kg.errors.NotFoundError` for an unknown entity and
        :class:`~kg.errors.ArgumentError` unless *top* is a whole number of 1 or more.
        """
        _check_count("top", top)
        node = self.resolve(entity, kind=ENTITY)
        G = self.graph
        hits = []
        for u, v, k, data in list(G.out_edges(node, keys=True, data=True)) + list(G.in_edges(node, keys=True, data=True)):
            if k == CO_OCCURS:
                other = v if u == node else u
                hits.append(self._hit(other, score=float(data.get("weight", 1))))
        hits.sort(key=lambda h: (-h.score, *self._tiebreak(h)))
        return hits[:top]

    def find(self, text: str, *, limit: int = 10, kind: str | None = None, type: str | None = None) -> list[Hit]:
        """Fuzzy search over entity labels, aliases and paper titles, best match first.

        Parameters
        ----------
        text : str
            What to look for; typos and partial names match too.
        limit : int
            At most this many hits.
        kind : {None, "entity", "paper"}
            Search only entities or only papers (both by default).
        type : str, optional
            Search only entities of this type (``"method"``, ...), or ``"paper"``.

        Returns
        -------
        list of Hit
            ``score`` is the similarity, 0-100; only matches above 40 are kept.

        Raises :class:`~kg.errors.ArgumentError` for a bad *text*, *limit*, *kind* or *type*.
        """
        from rapidfuzz import fuzz, process, utils

        _check_name(text, what="text")
        _check_count("limit", limit)
        _check_kind(kind)
        _check_type(type)
        choices: dict[str, str] = {}
        for node, data in self.graph.nodes(data=True):
            if kind is not None and data.get("kind") != kind:
                continue
            if type is not None and not _type_ok(self.graph, node, type):
                continue
            names = [data.get("label") or data.get("title") or ""] + [a for a, _ in data.get("aliases", [])]
            for i, name in enumerate(names):
                if name:
                    choices[f"{node}\x00{i}"] = name
        query = utils.default_process(text)

        def scorer(a: str, b: str, **_: object) -> float:
            # whole-string similarity; a longer name containing (nearly) the query ranks high too
            score = fuzz.ratio(a, b)
            if len(a) >= 3 and len(b) > len(a):
                score = max(score, 0.9 * fuzz.partial_ratio(a, b))
            return score

        best: dict[str, float] = {}
        for _, score, key in process.extract(query, choices, scorer=scorer, processor=utils.default_process,
                                             limit=limit * 5, score_cutoff=40):
            node = key.split("\x00", 1)[0]
            best[node] = max(best.get(node, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], -self.graph.nodes[kv[0]].get("papers", 0), kv[0]))
        return [self._hit(n, score=round(s, 1)) for n, s in ranked[:limit]]

    # -- other views of the same graph ----------------------------------------
    def sparql(self, query: str) -> Any:
        """Run a SPARQL query on the embedded store that ``kg build`` filled (see :mod:`kg.store`).

        Returns what :func:`kg.store.sparql` returns: a :class:`~kg.store.SelectResult`
        (a list of ``{variable: value}`` rows) for SELECT, a bool for ASK, a list of
        ``(subject, predicate, object)`` triples for CONSTRUCT/DESCRIBE. Raises
        :class:`~kg.errors.KGError` for a graph not loaded from a build folder.
        """
        from .store import sparql

        if self.path is None:
            raise KGError("this graph was not loaded from a build folder, so it has no store",
                          hint="use kg.load('exports')")
        return sparql(self.path / "store", query)

    def communities(self) -> list[Community]:
        """The communities of entities, largest first (see :mod:`kg.communities`).

        Each has ``id``, ``label`` (its most distinctive entities), ``entities``
        (ids, most distinctive first), ``papers`` (ids) and ``size``. A graph
        built before communities existed gets them detected now.
        """
        return read_communities(self.graph)

    def trending(self, *, since: int | None = None, top: int = 10) -> list[Trend]:
        """Entities whose share of papers grew the most since the year *since* (default: the last
        three years of the graph), largest growth first; see :func:`kg.trends.trending`.

        Returns an empty list when no paper has a dated year (the daily-papers
        dumps carry none). Raises :class:`~kg.errors.ArgumentError` for a bad
        *since* or *top*.
        """
        return trending(self.graph, since=since, top=top)

    def view(self, name: str | None = None, *, hops: int = 2, **options: Any) -> Any:
        """An interactive view (displays inline in Jupyter; ``.save(path)`` writes HTML).

        Without *name*, the overview of the whole graph. *options* go to
        :func:`kg.export.html.render_view`: ``max_nodes``, ``max_edges``,
        ``title``, ``include_papers``, ``physics``, ``renderer``.

        Returns a :class:`kg.export.html.View`. Raises
        :class:`~kg.errors.NotFoundError` for an unknown *name* and
        :class:`~kg.errors.ArgumentError` for a bad option value.
        """
        _check_count("hops", hops, minimum=0)
        from .export.html import render_view

        node = self.resolve(name) if name is not None else None
        return render_view(self.graph, node, hops=hops, **options)


def _check_name(name: Any, *, what: str = "name") -> None:
    if not isinstance(name, str):
        raise ArgumentError(f"{what} must be a string, got {name!r}")


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in (PAPER, ENTITY):
        raise ArgumentError(f"unknown kind {kind!r}", hint="use 'paper', 'entity' or None")


def _check_count(name: str, value: Any, *, minimum: int = 1, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ArgumentError(f"{name} must be a whole number of {minimum} or more, got {value!r}")


def _check_type(type: str | None) -> None:
    if type is not None and type not in ENTITY_TYPES and type != PAPER:
        raise ArgumentError(f"unknown type {type!r}", hint="use one of: " + ", ".join(ENTITY_TYPES + (PAPER,)))


def _type_ok(G: nx.MultiDiGraph, node: str, type: str | None) -> bool:
    if type is None:
        return True
    data = G.nodes[node]
    return data.get("kind") == PAPER if type == PAPER else data.get("type") == type


def _strength(G: nx.MultiDiGraph, a: str, b: str) -> float:
    """How strongly *a* and *b* are linked: the papers they share (``co_occurs``), plus the papers
    giving evidence of each relation between them, plus a paper's mentions of an entity; for nodes
    not linked directly, *b*'s paper count."""
    total = 0.0
    for u, v in ((a, b), (b, a)):
        for data in (G.get_edge_data(u, v) or {}).values():
            total += data.get("weight", data.get("count", 1))
    if total == 0.0:
        total = float(G.nodes[b].get("papers", 0))
    return total
