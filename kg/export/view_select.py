"""What an HTML view draws: the nodes of the overview or of an ego view, then the edges between them.

The overview keeps the most connected entities (papers too on request); an
ego view keeps the nodes within some hops of one node, nearest first, found
by :func:`kg.neighbourhood.hop_distances` over paper-entity and relation
edges. Edges between the kept nodes are capped, relations and the strongest
first. Nodes are told apart by the schema of :mod:`kg.graph` (``kind``,
``type``), never by their ids.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("P-1", kind="paper"); G.add_node("method-a", kind="entity", type="method")
>>> G.add_edge("P-1", "method-a", key="mention")
'mention'
>>> select_ego(G, "method-a", 1, None).nodes
['method-a', 'P-1']
>>> select_overview(G, None, include_papers=False).nodes
['method-a']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..graph import CO_OCCURS, PAPER, RELATION_KEYS
from ..neighbourhood import hop_distances

__all__ = ["Edge", "Selection", "ego_graph", "is_paper", "layout_groups_of", "node_label", "paper_count",
           "select_edges", "select_ego", "select_overview", "vis_type"]

#: An edge as a view draws it: (u, v, key, weight).
Edge = tuple[str, str, str, float]


@dataclass
class Selection:
    """The nodes a view draws, and what it left out."""

    nodes: list[str]          # drawn nodes, in draw order
    total: int                # nodes that could have been drawn
    what: str                 # "entities" or "nodes"
    center: str | None = None
    hops: dict[str, int] | None = None


def is_paper(G: nx.MultiDiGraph, n: str) -> bool:
    return G.nodes[n].get("kind") == PAPER


def vis_type(G: nx.MultiDiGraph, n: str) -> str:
    """``"paper"``, the entity's type, or ``"entity"`` for a node without one."""
    if is_paper(G, n):
        return PAPER
    return str(G.nodes[n].get("type") or "entity")


def node_label(G: nx.MultiDiGraph, n: str) -> str:
    data = G.nodes[n]
    return str(data.get("label") or data.get("title") or n)


def paper_count(G: nx.MultiDiGraph, n: str) -> int:
    p = G.nodes[n].get("papers")
    return p if isinstance(p, int) else 0


def ego_graph(G: nx.MultiDiGraph, node_id: str, *, hops: int = 1) -> nx.MultiDiGraph:
    """The subgraph of nodes within *hops* of *node_id* (a copy).

    Steps follow paper-entity (``mention``) and relation edges in either
    direction; ``co_occurs`` edges are not followed (a shared paper already
    links co-occurring entities), but are kept between the nodes reached.

    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("P-1", "method-a", key="mention"); G.add_edge("P-1", "task-b", key="mention")
    'mention'
    'mention'
    >>> sorted(ego_graph(G, "method-a", hops=2))
    ['P-1', 'method-a', 'task-b']
    """
    return G.subgraph(_ego_distances(G, node_id, hops)).copy()


def _ego_distances(G: nx.MultiDiGraph, node_id: str, hops: int) -> dict[str, int]:
    return hop_distances(G, node_id, hops, skip=(CO_OCCURS,))


def select_overview(G: nx.MultiDiGraph, cap: int | None, include_papers: bool) -> Selection:
    """Entities (and papers if *include_papers*), at most *cap* of them, the most connected."""
    cands = [n for n in G.nodes if include_papers or not is_paper(G, n)]
    keep = set(cands)
    degree = {n: len({v for v in _undirected_neighbors(G, n) if v in keep and v != n}) for n in cands}
    what = "nodes" if include_papers else "entities"
    if cap is not None and len(cands) > cap:
        ranked = sorted(cands, key=lambda n: (-degree[n], -paper_count(G, n), str(n)))
        chosen = set(ranked[:cap])
        cands = [n for n in cands if n in chosen]
    return Selection(nodes=cands, total=len(keep), what=what)


def select_ego(G: nx.MultiDiGraph, node_id: str, hops: int, cap: int | None) -> Selection:
    """Nodes within *hops* of *node_id*, at most *cap* of them: nearest, then most connected."""
    dist = _ego_distances(G, node_id, hops)
    order = sorted(dist, key=lambda n: (dist[n], -G.degree(n), str(n)))
    total = len(order)
    if cap is not None and total > cap:
        order = order[:cap]
    return Selection(nodes=order, total=total, what="nodes", center=node_id,
                     hops={n: dist[n] for n in order})


def select_edges(G: nx.MultiDiGraph, sel: Selection, max_edges: int | None) -> tuple[list[Edge], int]:
    """Drawn edges (u, v, key, weight) and how many were left out.

    *max_edges* ``None`` caps at four per drawn node, ``0`` draws every edge.
    Under a cap, every node first keeps its :data:`BACKBONE` strongest edges
    (so no drawn node is left without a link it has), then relations, then
    the heaviest of the rest.
    """
    keep = set(sel.nodes)
    ego = sel.center is not None
    edges: list[Edge] = []
    seen: set[tuple[str, str, str]] = set()
    for u in sel.nodes:
        for _, v, k, w in _out_edges(G, u):
            if v not in keep or u == v:
                continue
            key = str(k)
            if ego and key == CO_OCCURS:
                continue  # shared papers are drawn; co-occurrence would only add clutter
            sig = (u, v, key) if G.is_directed() else (min(u, v), max(u, v), key)
            if sig in seen:
                continue
            seen.add(sig)
            edges.append((u, v, key, w))
    cap = 4 * len(sel.nodes) if max_edges is None else (max_edges or None)
    omitted = 0
    if cap is not None and len(edges) > cap:
        rank = {k: i for i, k in enumerate(RELATION_KEYS)}
        edges.sort(key=lambda e: (rank.get(e[2], len(rank)), -e[3], str(e[0]), str(e[1]), e[2]))
        backbone = _backbone(G, edges)
        first = [e for k, e in enumerate(edges) if k in backbone]
        rest = [e for k, e in enumerate(edges) if k not in backbone]
        omitted = len(edges) - cap
        edges = (first + rest)[:cap]
    return edges, omitted


#: Under an edge cap, each drawn node keeps this many of its strongest edges first.
BACKBONE = 2


def _backbone(G: nx.MultiDiGraph, edges: list[Edge]) -> set[int]:
    """Indices (into *edges*, already ranked) of each node's :data:`BACKBONE` strongest edges;
    among equal weights the edge to the node in more papers."""
    per_node: dict[str, list[int]] = {}
    for k, (u, v, _, _) in enumerate(edges):
        per_node.setdefault(u, []).append(k)
        per_node.setdefault(v, []).append(k)
    keep: set[int] = set()
    for n, ks in per_node.items():
        ks.sort(key=lambda k: (_other_community(G, n, edges[k]), -edges[k][3],
                               -paper_count(G, edges[k][1] if edges[k][0] == n else edges[k][0]), k))
        keep.update(ks[:BACKBONE])
    return keep


def _other_community(G: nx.MultiDiGraph, n: str, e: Edge) -> bool:
    """Whether edge *e* of *n* leads out of *n*'s community (a node's links inside it come first)."""
    other = e[1] if e[0] == n else e[0]
    return G.nodes[n].get("community") != G.nodes[other].get("community")


#: Communities with fewer drawn nodes than this are not placed as groups of their own.
GROUP_MIN = 4
#: At most this many groups (the largest communities); the other nodes join a linked group.
GROUP_MAX = 60


def layout_groups_of(G: nx.MultiDiGraph, sel: Selection, edges: list[Edge]) -> list[int] | None:
    """The group each drawn node is placed with: its community where that community has at least
    :data:`GROUP_MIN` drawn nodes (the :data:`GROUP_MAX` largest), else the group it has most drawn
    links to, else ``-1``. ``None`` when the drawn nodes carry no ``community``.

    >>> G = nx.MultiDiGraph()
    >>> for n in "abcde":
    ...     G.add_node(n, kind="entity", community=0 if n < "e" else 5)
    >>> layout_groups_of(G, Selection(nodes=list("abcde"), total=5, what="entities"), [("a", "e", "co_occurs", 1.0)])
    [0, 0, 0, 0, 0]
    """
    comm = [G.nodes[n].get("community") for n in sel.nodes]
    if not any(isinstance(c, int) for c in comm):
        return None
    sizes: dict[int, int] = {}
    for c in comm:
        if isinstance(c, int):
            sizes[c] = sizes.get(c, 0) + 1
    big = {c for c in sorted(sizes, key=lambda c: (-sizes[c], c))[:GROUP_MAX] if sizes[c] >= GROUP_MIN}
    index = {n: i for i, n in enumerate(sel.nodes)}
    groups = [c if c in big else -1 for c in comm]
    votes: dict[int, dict[int, float]] = {}
    for u, v, _, w in edges:
        for a, b in ((index[u], index[v]), (index[v], index[u])):
            if groups[a] == -1 and groups[b] != -1:
                votes.setdefault(a, {})
                votes[a][groups[b]] = votes[a].get(groups[b], 0.0) + w
    for a, vs in votes.items():
        groups[a] = min(vs, key=lambda g: (-vs[g], g))
    return groups


def _undirected_neighbors(G: nx.MultiDiGraph, n: str) -> Iterable[str]:
    if G.is_directed():
        yield from G.successors(n)
        yield from G.predecessors(n)
    else:
        yield from G.neighbors(n)


def _out_edges(G: nx.MultiDiGraph, u: str) -> Iterable[Edge]:
    if G.is_multigraph():
        for v, keys in G._adj[u].items():
            for k, d in keys.items():
                yield u, v, k, _weight(d)
    else:
        for a, b, d in G.edges(u, data=True):
            yield a, b, str(d.get("kind", "link")), _weight(d)


def _weight(d: dict[str, Any]) -> float:
    w = d.get("weight", d.get("count", 1))
    try:
        return float(w)
    except (TypeError, ValueError):
        return 1.0
