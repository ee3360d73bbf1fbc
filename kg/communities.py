"""Communities of entities: Leiden on the co-occurrence graph, labelled by their most distinctive entities.

:func:`assign_communities` gives every entity node of a kg graph an integer
``community`` and stores one summary per community in ``G.graph["communities"]``
(``id``, ``label``, ``size``, ``papers``, ``top``). Communities are numbered by
size, largest first; the partition is seeded, so the same graph always gets
the same communities (byte-identical exports).

Detection runs igraph's Leiden (modularity objective) on the undirected,
weighted ``co_occurs`` graph of the entities, vertices in id order. An
entity that co-occurs with nothing is a community of its own.

A community's label is made of its most *distinctive* entities, not its most
frequent: an entity scores by the share of its co-occurrence weight that
stays inside the community times the log of its paper count, so a hub that
links everything ("deep learning") does not name every cluster it touches.
A paper belongs to the community most of its entities are in.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for e in "abcxyz":
...     G.add_node(e, kind="entity", type="method", label=e.upper(), papers=2)
>>> for u, v in ["ab", "bc", "ac", "xy", "yz", "xz", "cx"]:
...     _ = G.add_edge(u, v, key="co_occurs", weight=1 if u + v == "cx" else 3)
>>> [c.label for c in assign_communities(G)]
['A · B · C', 'Y · Z · X']
>>> G.nodes["z"]["community"]  # X, linked to C too, is the least distinctive of its community
1
"""

from __future__ import annotations

import array
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .errors import ArgumentError
from .graph import CO_OCCURS, ENTITY, MENTION, PAPER

__all__ = ["COMMUNITY_SEED", "LEIDEN_ITERATIONS", "Community", "assign_communities", "community_graph", "detect_communities",
           "pair_communities", "paper_communities", "read_communities", "write_communities"]

#: Seed of igraph's random generator while Leiden runs.
COMMUNITY_SEED = 7
#: Leiden passes: the seeds' modularity is 0.767 after 5 and 0.768 at convergence, which takes
#: ten times longer on a large unstructured graph (4.7 s against 0.45 s at 20k entities).
LEIDEN_ITERATIONS = 5
#: Entities named in a community's label.
_LABEL_ENTITIES = 3
#: Entities kept in a community's summary (``top``).
_TOP_ENTITIES = 10
_SEP = " · "


@dataclass
class Community:
    """A community of entities: ``id`` (0 is the largest), ``label``, its ``entities`` (ids, most
    distinctive first), its ``papers`` (ids, in graph order) and ``size`` (number of entities)."""

    id: int
    label: str
    entities: list[str] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.entities)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "size": self.size, "entities": list(self.entities),
                "papers": list(self.papers)}


def community_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected, weighted co-occurrence graph of *G*'s entities (every entity, isolated ones too).

    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="entity"); G.add_node("b", kind="entity")
    >>> _ = G.add_edge("a", "b", key="co_occurs", weight=2)
    >>> community_graph(G).edges(data="weight")
    EdgeDataView([('a', 'b', 2)])
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(n for n, k in G.nodes(data="kind") if k == ENTITY))
    for u, v, w in _cooccurrences(G):
        H.add_edge(u, v, weight=(H[u][v]["weight"] + w) if H.has_edge(u, v) else w)
    return H


def _cooccurrences(G: nx.MultiDiGraph) -> Iterator[tuple[str, str, Any]]:
    """(u, v, weight) of every ``co_occurs`` edge of *G*, read from the adjacency."""
    if not G.is_multigraph():
        return
    for u, nbrs in G._adj.items():
        for v, keys in nbrs.items():
            d = keys.get(CO_OCCURS)
            if d is not None and u != v:
                yield u, v, d.get("weight", 1)


def _weighted_pairs(G: nx.MultiDiGraph, names: list[str]) -> tuple[Any, Any, Any]:
    """The co-occurrence pairs of *names* (indexes, smaller first) sorted, each once, with their
    summed weights: three numpy arrays, read straight from the adjacency (no NetworkX copy and
    no Python object per pair: millions of edges at scale).

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("b", "a", key="co_occurs", weight=2); _ = G.add_edge("a", "b", key="co_occurs", weight=1)
    >>> [x.tolist() for x in _weighted_pairs(G, ["a", "b"])]
    [[0], [1], [3.0]]
    """
    import numpy as np

    index = {n: i for i, n in enumerate(names)}
    a_col, b_col, w_col = array.array("q"), array.array("q"), array.array("d")
    for u, v, w in _cooccurrences(G):
        a, b = index.get(u), index.get(v)
        if a is not None and b is not None:
            a_col.append(min(a, b))
            b_col.append(max(a, b))
            w_col.append(float(w))
    heads, tails = np.frombuffer(a_col, dtype=np.int64), np.frombuffer(b_col, dtype=np.int64)
    weights = np.frombuffer(w_col, dtype=np.float64)
    order = np.lexsort((tails, heads))  # stable: a pair's weights are summed in adjacency order
    heads, tails, weights = heads[order], tails[order], weights[order]
    if len(heads):
        first = np.ones(len(heads), dtype=bool)
        first[1:] = (heads[1:] != heads[:-1]) | (tails[1:] != tails[:-1])
        starts = np.flatnonzero(first)
        weights = np.add.reduceat(weights, starts)
        heads, tails = heads[starts], tails[starts]
    return heads, tails, weights


def _igraph_of(igraph: Any, n: int, heads: Any, tails: Any) -> Any:
    """An undirected igraph Graph of *n* vertices and the edges (heads[i], tails[i]), in order.

    The edges go through igraph's own edge-list reader (a temporary text file) rather than a
    Python list of tuples: at 100k papers (2.3M pairs) that list and its conversion doubled
    the peak memory of community detection (+451 against +215 MiB, Leiden included). Without
    a writable temporary folder it falls back to the list.

    >>> import igraph, numpy as np
    >>> g = _igraph_of(igraph, 4, np.array([0, 1]), np.array([1, 2]))
    >>> g.vcount(), g.get_edgelist()
    (4, [(0, 1), (1, 2)])
    """
    import os
    import tempfile

    try:
        fd, path = tempfile.mkstemp(prefix="kg-edges-", suffix=".txt")
    except OSError:  # no writable temp folder: the slower, larger way
        return igraph.Graph(n=n, edges=list(zip(heads.tolist(), tails.tolist())))
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            step = 1 << 16
            for lo in range(0, len(heads), step):
                f.write("".join(f"{a} {b}\n" for a, b in zip(heads[lo:lo + step].tolist(),
                                                             tails[lo:lo + step].tolist())))
        g = igraph.Graph.Read_Edgelist(path, directed=False)
    finally:
        os.unlink(path)
    if g.vcount() < n:  # the reader makes as many vertices as the largest index needs
        g.add_vertices(n - g.vcount())
    return g


def detect_communities(G: nx.MultiDiGraph, *, seed: int = COMMUNITY_SEED,
                       resolution: float = 1.0) -> dict[str, int]:
    """Entity id -> community number (0 the largest), by seeded Leiden on the co-occurrence graph.

    Raises :class:`~kg.errors.ArgumentError` for a resolution that is not a positive number.

    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="entity"); G.add_node("b", kind="entity")
    >>> detect_communities(G)
    {'a': 0, 'b': 1}
    """
    _check_resolution(resolution)
    names = sorted(n for n, k in G.nodes(data="kind") if k == ENTITY)
    if not names:
        return {}
    return pair_communities(names, *_weighted_pairs(G, names), seed=seed, resolution=resolution)


def _check_resolution(resolution: Any) -> None:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, float)) or not resolution > 0:
        raise ArgumentError(f"resolution must be a positive number, got {resolution!r}")


def pair_communities(names: list[str], heads: Any, tails: Any, weights: Any, *,
                     seed: int = COMMUNITY_SEED, resolution: float = 1.0) -> dict[str, int]:
    """:func:`detect_communities` on pairs given as arrays: *names* (sorted entity ids) and, per
    pair, the indexes into it (``heads[i] < tails[i]``, pairs sorted, each once) and its weight.

    ``build_graph`` calls it on the co-occurrence counts before they become edges, so that
    Leiden's memory is not added on top of the finished graph's.

    >>> import numpy as np
    >>> pair_communities(["a", "b", "c"], np.array([0]), np.array([1]), np.array([2.0]))
    {'a': 0, 'b': 0, 'c': 1}
    """
    import igraph

    _check_resolution(resolution)
    if not names:
        return {}
    g = _igraph_of(igraph, len(names), heads, tails)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = g.community_leiden(objective_function="modularity", weights=weights,
                                        resolution=resolution, n_iterations=LEIDEN_ITERATIONS).membership
    finally:
        igraph.set_random_number_generator(random)
    groups: dict[int, list[str]] = defaultdict(list)
    for name, c in zip(names, membership):
        groups[c].append(name)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    return {n: i for i, members in enumerate(ordered) for n in members}


def paper_communities(G: nx.MultiDiGraph, membership: dict[str, int]) -> dict[str, int]:
    """Paper id -> the community most of its entities are in (the smaller number on a tie)."""
    out: dict[str, int] = {}
    for p, kind in G.nodes(data="kind"):
        if kind != PAPER:
            continue
        votes = Counter(membership[e] for e, keys in G._succ[p].items() if MENTION in keys and e in membership)
        if votes:
            out[p] = min(votes, key=lambda c: (-votes[c], c))
    return out


def assign_communities(G: nx.MultiDiGraph, *, seed: int = COMMUNITY_SEED,
                       resolution: float = 1.0) -> list[Community]:
    """Detect communities and write them into *G*: entity ``community`` and ``G.graph["communities"]``.

    Returns the communities, largest first (see :class:`Community`).
    """
    return write_communities(G, detect_communities(G, seed=seed, resolution=resolution))


def write_communities(G: nx.MultiDiGraph, membership: dict[str, int]) -> list[Community]:
    """Write a membership (entity id -> community number, as :func:`detect_communities` or
    :func:`pair_communities` give it) into *G*, as :func:`assign_communities` does."""
    for n, c in membership.items():
        G.nodes[n]["community"] = c
    communities = _summarise(G, membership)
    G.graph["communities"] = [{"id": c.id, "label": c.label, "size": c.size, "papers": len(c.papers),
                               "top": c.entities[:_TOP_ENTITIES]} for c in communities]
    return communities


def read_communities(G: nx.MultiDiGraph) -> list[Community]:
    """The communities stored in *G* by :func:`assign_communities`, or detected now (*G* unchanged)
    for a graph built without them."""
    membership = {n: d["community"] for n, d in G.nodes(data=True)
                  if d.get("kind") == ENTITY and isinstance(d.get("community"), int)}
    if not membership and any(k == ENTITY for _, k in G.nodes(data="kind")):
        membership = detect_communities(G)
    return _summarise(G, membership)


def _summarise(G: nx.MultiDiGraph, membership: dict[str, int]) -> list[Community]:
    """Each community's entities ranked by distinctiveness, its label and its papers."""
    inside: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for u, nbrs in G._adj.items():
        if u not in membership:
            continue
        for v, keys in nbrs.items():
            d = keys.get(CO_OCCURS) if G.is_multigraph() else None
            if d is None or v not in membership or u == v:
                continue
            w = float(d.get("weight", 1))
            for a, b in ((u, v), (v, u)):
                total[a] += w
                if membership[a] == membership[b]:
                    inside[a] += w

    def score(n: str) -> float:
        share = inside[n] / total[n] if total[n] else 1.0
        papers = G.nodes[n].get("papers", 0)
        return share * math.log1p(papers if isinstance(papers, int) else 0)

    members: dict[int, list[str]] = defaultdict(list)
    for n, c in membership.items():
        members[c].append(n)
    papers: dict[int, list[str]] = defaultdict(list)
    for p, c in paper_communities(G, membership).items():
        papers[c].append(p)
    out = []
    for c in sorted(members):
        ranked = sorted(members[c], key=lambda n: (-score(n), -G.nodes[n].get("papers", 0), n))
        label = _SEP.join(str(G.nodes[n].get("label") or n) for n in ranked[:_LABEL_ENTITIES])
        out.append(Community(id=c, label=label, entities=ranked, papers=papers[c]))
    return out
