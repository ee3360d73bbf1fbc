"""Hop distances from one node: the neighbourhood search shared by the query API and the views.

kg's graph is directed (paper -> entity, method -> task, ...), but a
neighbourhood is not: a step follows an edge in either direction. Both
:meth:`kg.query.KnowledgeGraph.neighbors` and the ego views of
:mod:`kg.export.html` ask :func:`hop_distances`; they differ only in the edges
they step over. The query API follows every edge, so an entity's co-occurring
entities are one hop away; a view skips ``co_occurs`` edges (a shared paper
already links them, and following them would pull in everything two papers
away at the first hop).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("P-1", "method-a", key="mention"); G.add_edge("method-a", "task-b", key="co_occurs")
'mention'
'co_occurs'
>>> hop_distances(G, "task-b", 2)
{'task-b': 0, 'method-a': 1, 'P-1': 2}
>>> hop_distances(G, "task-b", 2, skip=("co_occurs",))
{'task-b': 0}
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import networkx as nx

from .errors import ArgumentError, NotFoundError

__all__ = ["hop_distances"]


def hop_distances(G: nx.Graph, start: Any, hops: int, *, skip: Collection[str] = ()) -> dict[Any, int]:
    """Breadth-first hop counts from *start* to every node at most *hops* steps away.

    Parameters
    ----------
    G : networkx.Graph
        Any NetworkX graph; a directed one is walked as if undirected.
    start : node
        Where to start (distance 0).
    hops : int
        How many steps to take (0 gives *start* alone).
    skip : collection of str
        Edge keys not to step over (a multigraph's keys; a simple graph's
        edges have no key and are always followed). Two nodes joined by
        several edges are neighbours when one of the edges is not skipped.

    Returns
    -------
    dict
        Node -> shortest number of steps, *start* first, then level by level.

    Raises
    ------
    NotFoundError
        *start* is not in *G*.
    ArgumentError
        *hops* is not a whole number of 0 or more.

    >>> hop_distances(nx.path_graph(5), 0, 2)
    {0: 0, 1: 1, 2: 2}
    """
    if start not in G:
        raise NotFoundError(f"no node with id {start!r}",
                            hint="resolve names with KnowledgeGraph.resolve or `kg query find`")
    if not isinstance(hops, int) or hops < 0:
        raise ArgumentError(f"hops must be a whole number of 0 or more, got {hops!r}")
    dist = {start: 0}
    frontier = [start]
    for d in range(1, hops + 1):
        nxt = []
        for u in frontier:
            for v in _steps(G, u, skip):
                if v not in dist:
                    dist[v] = d
                    nxt.append(v)
        if not nxt:
            break
        frontier = nxt
    return dist


def _steps(G: nx.Graph, u: Any, skip: Collection[str]) -> Iterator[Any]:
    """Nodes one step from *u*, over edges in either direction whose key is not in *skip*.

    Reads the adjacency dicts directly: edge views are slow on a large graph.
    """
    sides = (G._succ[u], G._pred[u]) if G.is_directed() else (G._adj[u],)
    check = bool(skip) and G.is_multigraph()
    for side in sides:
        for v, keys in side.items():
            if not check or any(k not in skip for k in keys):
                yield v
