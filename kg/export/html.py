"""Interactive HTML views of the graph: one self-contained file per view.

The only module of kg that imports pyvis. A view is a pyvis ``Network``
filled directly (no ``from_nx``: it is quadratic and mutates its input) with
a layout computed here, rendered with ``cdn_resources="in_line"`` through
kg's own template (``view.html``, ``view.js``, ``view.css`` beside this
module) instead of pyvis's, which links Bootstrap from a CDN and inserts the
heading and menus as raw HTML.

What a page guarantees:

* **Offline.** vis-network, kg's script and style are inlined; a
  Content-Security-Policy (``default-src 'none'``) forbids every request.
* **No injected script.** Untrusted strings (titles, abstracts, labels)
  travel as JSON inside ``<script type="application/json">`` with ``<``,
  ``>`` and ``&`` escaped, and the page script only ever puts them in the
  DOM with ``textContent``. The policy allows exactly the two inline scripts
  by their SHA-256 hash, so even markup that slipped through could not run.
* **Fast.** Positions come from a deterministic layout (igraph's
  Fruchterman-Reingold with a grid, per connected component, when igraph is
  installed); physics is off above :data:`PHYSICS_MAX_NODES` nodes; edges are
  straight. Up to :data:`VIS_MAX_NODES` nodes vis-network draws the graph;
  above, kg's own canvas renderer (``view.js``) does, because vis-network
  spends about 50 microseconds per node or edge before its first frame
  (7 s at 20k nodes). Above *max_nodes* the most connected nodes are kept and
  the page says what was left out.
* **Reproducible.** The same graph gives a byte-identical file.

>>> from kg.types import Paper, Mention
>>> from kg.graph import build_graph
>>> p = Paper(id="P-1", title="Attention", abstract="We use BERT on SQuAD.")
>>> ms = [Mention("P-1", "abstract", 7, 11, "BERT", "method", p.abstract, 0),
...       Mention("P-1", "abstract", 15, 20, "SQuAD", "dataset", p.abstract, 0)]
>>> G = build_graph([(p, ms, [])])
>>> view = render_view(G)
>>> view.nodes, view.edges
(2, 1)
>>> sorted(ego_graph(G, "P-1", hops=1))[0]
'P-1'
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import json
import math
import os
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from .._io import atomic_write
from ..errors import ExportError, KGError, NotFoundError

__all__ = [
    "DEFAULT_EGO_MAX_NODES",
    "DEFAULT_MAX_NODES",
    "PHYSICS_MAX_NODES",
    "TYPE_COLORS",
    "VIS_MAX_NODES",
    "View",
    "ego_graph",
    "layout",
    "render_view",
    "write_html",
]

#: Overview cap: above it, the most connected entities are shown. At this size vis-network
#: (pyvis) draws the overview with its full interactivity; ``max_nodes=20000`` draws up to
#: 20k on the canvas renderer (about 0.5 s) instead.
DEFAULT_MAX_NODES = 1000
#: Ego-view cap: nearest nodes first, then the most connected.
DEFAULT_EGO_MAX_NODES = 1000
#: Views with more nodes than this draw with physics off (the layout is final).
PHYSICS_MAX_NODES = 150
#: Views with more nodes than this draw on kg's canvas renderer instead of vis-network,
#: which spends about 50 microseconds per node or edge before its first frame.
VIS_MAX_NODES = 1000
_RENDERERS = ("auto", "vis", "canvas")

#: Node colour per entity type (and for papers); colour-blind-safe Tableau 10.
TYPE_COLORS = {
    "method": "#4e79a7",
    "dataset": "#f28e2b",
    "task": "#59a14f",
    "metric": "#e15759",
    "concept": "#b07aa1",
    "paper": "#9d9d9d",
}
_OTHER_COLOR = "#76b7b2"

_HERE = Path(__file__).resolve().parent
_RELATIONS = ("used_for", "evaluated_on")
_LABEL_MAX = 40
_SENTENCE_MAX = 300
_PANEL_PAPERS = 25
_PANEL_ENTITIES = 40
_URL_OK = re.compile(r"^https?://[^\s\"'<>\\]+$", re.IGNORECASE)


# -- the view object ---------------------------------------------------------
@dataclass(frozen=True)
class View:
    """One rendered view: a complete HTML page.

    ``_repr_html_`` shows it inline in Jupyter (in a sandboxed ``iframe``),
    :meth:`save` writes it to a file.
    """

    html: str
    title: str
    nodes: int
    edges: int
    omitted_nodes: int = 0
    omitted_edges: int = 0

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to *path* atomically and return the path."""
        target = Path(path)
        with atomic_write(target) as f:
            f.write(self.html)
        return target

    def _repr_html_(self) -> str:
        doc = _html.escape(self.html, quote=True)
        return (f'<iframe title="{_html.escape(self.title, quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:640px;border:1px solid #ddd" srcdoc="{doc}"></iframe>')

    def __repr__(self) -> str:
        return f"<View {self.title!r}: {self.nodes} nodes, {self.edges} edges>"


# -- public functions --------------------------------------------------------
def write_html(
    G: nx.MultiDiGraph,
    path: str | os.PathLike[str],
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_edges: int | None = None,
    title: str = "kg knowledge graph",
    include_papers: bool = False,
    physics: bool | None = None,
    renderer: str = "auto",
) -> None:
    """Write the overview of *G* to *path* as one self-contained HTML file.

    Entities are coloured by type and sized by paper count; papers are
    listed in the side panel (``include_papers=True`` draws them as nodes
    too). See :func:`render_view` for the options.
    """
    render_view(G, None, max_nodes=max_nodes, max_edges=max_edges, title=title,
                include_papers=include_papers, physics=physics, renderer=renderer).save(path)


def render_view(
    G: nx.MultiDiGraph,
    node_id: str | None = None,
    *,
    hops: int = 2,
    max_nodes: int | None = None,
    max_edges: int | None = None,
    title: str | None = None,
    include_papers: bool = False,
    physics: bool | None = None,
    renderer: str = "auto",
) -> View:
    """Render the overview of *G* (``node_id=None``) or the ego view of one node.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph in kg's schema (see :mod:`kg.graph`); it is not modified.
    node_id : str, optional
        An entity or paper id: show the nodes within *hops* of it over
        paper-entity and relation edges (papers included).
    hops : int
        Radius of the ego view.
    max_nodes : int, optional
        Cap on drawn nodes (default :data:`DEFAULT_MAX_NODES` for the
        overview, :data:`DEFAULT_EGO_MAX_NODES` for an ego view; ``None`` for
        the default, ``0`` for no cap). The page says what was left out.
    max_edges : int, optional
        Cap on drawn edges (default four per drawn node), strongest first.
    title : str, optional
        Page heading (plain text).
    include_papers : bool
        Overview only: draw papers as nodes too.
    physics : bool, optional
        Let vis-network's physics move nodes; by default only for views of
        at most :data:`PHYSICS_MAX_NODES` nodes.
    renderer : {"auto", "vis", "canvas"}
        What draws the graph: vis-network (pyvis's, with physics) or kg's
        canvas renderer (fast for large views, no physics). ``"auto"`` picks
        vis-network up to :data:`VIS_MAX_NODES` nodes.

    Returns
    -------
    View
    """
    if not isinstance(G, nx.Graph):
        raise KGError(f"expected a networkx graph, got {type(G).__name__}",
                      hint="pass KnowledgeGraph.graph or the result of kg.graph.build_graph")
    if max_nodes is not None and max_nodes < 0:
        raise KGError(f"max_nodes must be 0 (no cap) or more, got {max_nodes}")
    if max_edges is not None and max_edges < 0:
        raise KGError(f"max_edges must be 0 (no cap) or more, got {max_edges}")
    if renderer not in _RENDERERS:
        raise KGError(f"unknown renderer {renderer!r}", hint="use one of: " + ", ".join(_RENDERERS))
    if node_id is None:
        cap = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
        sel = _select_overview(G, cap or None, include_papers)
        heading = title or "kg knowledge graph"
    else:
        cap = DEFAULT_EGO_MAX_NODES if max_nodes is None else max_nodes
        sel = _select_ego(G, node_id, hops, cap or None)
        heading = title or f"{_node_label(G, node_id)} (within {hops} hop{'s' if hops != 1 else ''})"
    edges, omitted_edges = _select_edges(G, sel, max_edges)
    return _render(G, sel, edges, omitted_edges, heading, physics, renderer)


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
    dist = _ego_distances(G, node_id, hops)
    return G.subgraph(dist).copy()


def layout(nodes: list[Any], edges: Iterable[tuple[int, int]], *, scale: float = 90.0,
           seed: int = 7) -> list[tuple[float, float]]:
    """Deterministic 2-D positions for nodes ``0..len(nodes)-1``.

    Each connected component is laid out on its own (igraph's
    Fruchterman-Reingold with a grid when igraph is installed, otherwise
    NetworkX's spring layout for small components and a spiral for large
    ones), scaled so that nodes sit about *scale* apart, and the
    components are packed in rows, largest first; isolated nodes go in a
    grid below. Coordinates are rounded to 0.1.

    >>> layout(["a", "b", "c"], [(0, 1)])[2] != layout(["a", "b", "c"], [(0, 1)])[0]
    True
    """
    n = len(nodes)
    if n == 0:
        return []
    pairs = sorted({(u, v) if u < v else (v, u) for u, v in edges if u != v})
    try:
        import igraph
    except ImportError:
        igraph = None
    placed: list[tuple[list[int], list[tuple[float, float]]]] = []
    singles: list[int] = []
    if igraph is not None:
        g = igraph.Graph(n=n, edges=pairs)
        comps = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
        for comp in comps:
            if len(comp) == 1:
                singles.append(comp[0])
            else:
                pos = _layout_igraph(igraph, g.induced_subgraph(comp) if len(comps) > 1 else g, seed)
                placed.append((comp, _normalise(pos, scale)))
    else:
        adj: list[set[int]] = [set() for _ in range(n)]
        for u, v in pairs:
            adj[u].add(v)
            adj[v].add(u)
        for comp in _components(adj):
            if len(comp) == 1:
                singles.append(comp[0])
            else:
                placed.append((comp, _normalise(_layout_component(comp, adj, seed), scale)))
    out: list[tuple[float, float]] = [(0.0, 0.0)] * n
    _pack(placed, singles, scale, out)
    return [(round(x, 1), round(y, 1)) for x, y in out]


# -- selection ---------------------------------------------------------------
@dataclass
class _Selection:
    nodes: list[str]          # drawn nodes, in draw order
    total: int                # nodes that could have been drawn
    what: str                 # "entities" or "nodes"
    center: str | None = None
    hops: dict[str, int] | None = None


def _kind(G: nx.MultiDiGraph, n: str) -> str:
    return G.nodes[n].get("kind") or ("paper" if str(n).startswith("P-") else "entity")


def _vis_type(G: nx.MultiDiGraph, n: str) -> str:
    data = G.nodes[n]
    if _kind(G, n) == "paper":
        return "paper"
    return str(data.get("type") or "entity")


def _node_label(G: nx.MultiDiGraph, n: str) -> str:
    data = G.nodes[n]
    return str(data.get("label") or data.get("title") or n)


def _select_overview(G: nx.MultiDiGraph, cap: int | None, include_papers: bool) -> _Selection:
    cands = [n for n in G.nodes if include_papers or _kind(G, n) != "paper"]
    keep = set(cands)
    degree = {n: len({v for v in _undirected_neighbors(G, n) if v in keep and v != n}) for n in cands}
    what = "nodes" if include_papers else "entities"
    if cap is not None and len(cands) > cap:
        ranked = sorted(cands, key=lambda n: (-degree[n], -_papers(G, n), str(n)))
        chosen = set(ranked[:cap])
        cands = [n for n in cands if n in chosen]
    return _Selection(nodes=cands, total=len(keep), what=what)


def _papers(G: nx.MultiDiGraph, n: str) -> int:
    p = G.nodes[n].get("papers")
    return p if isinstance(p, int) else 0


def _undirected_neighbors(G: nx.MultiDiGraph, n: str) -> Iterable[str]:
    if G.is_directed():
        yield from G.successors(n)
        yield from G.predecessors(n)
    else:
        yield from G.neighbors(n)


def _ego_distances(G: nx.MultiDiGraph, node_id: str, hops: int) -> dict[str, int]:
    if node_id not in G:
        raise NotFoundError(f"no node with id {node_id!r}",
                            hint="resolve names with KnowledgeGraph.resolve or `kg query find`")
    if not isinstance(hops, int) or hops < 0:
        raise KGError(f"hops must be a whole number of 0 or more, got {hops!r}")
    dist = {node_id: 0}
    frontier = [node_id]
    for d in range(1, hops + 1):
        nxt = []
        for u in frontier:
            for v in _walk(G, u):
                if v not in dist:
                    dist[v] = d
                    nxt.append(v)
        if not nxt:
            break
        frontier = nxt
    return dist


def _walk(G: nx.MultiDiGraph, u: str) -> Iterable[str]:
    """Neighbours of *u* over every edge but ``co_occurs``."""
    if G.is_multigraph():
        out = G.out_edges(u, keys=True) if G.is_directed() else G.edges(u, keys=True)
        for _, v, k in out:
            if k != "co_occurs":
                yield v
        if G.is_directed():
            for v, _, k in G.in_edges(u, keys=True):
                if k != "co_occurs":
                    yield v
    else:
        yield from _undirected_neighbors(G, u)


def _select_ego(G: nx.MultiDiGraph, node_id: str, hops: int, cap: int | None) -> _Selection:
    dist = _ego_distances(G, node_id, hops)
    order = sorted(dist, key=lambda n: (dist[n], -G.degree(n), str(n)))
    total = len(order)
    if cap is not None and total > cap:
        order = order[:cap]
    return _Selection(nodes=order, total=total, what="nodes", center=node_id,
                      hops={n: dist[n] for n in order})


def _select_edges(G: nx.MultiDiGraph, sel: _Selection,
                  max_edges: int | None) -> tuple[list[tuple[str, str, str, float]], int]:
    """Drawn edges (u, v, key, weight), relations first, then by weight; and how many were left out."""
    keep = set(sel.nodes)
    ego = sel.center is not None
    edges: list[tuple[str, str, str, float]] = []
    seen: set[tuple[str, str, str]] = set()
    for u in sel.nodes:
        for _, v, k, w in _out_edges(G, u):
            if v not in keep or u == v:
                continue
            key = str(k)
            if ego and key == "co_occurs":
                continue  # shared papers are drawn; co-occurrence would only add clutter
            sig = (u, v, key) if G.is_directed() else (min(u, v), max(u, v), key)
            if sig in seen:
                continue
            seen.add(sig)
            edges.append((u, v, key, w))
    cap = 4 * len(sel.nodes) if max_edges is None else (max_edges or None)
    omitted = 0
    if cap is not None and len(edges) > cap:
        rank = {k: i for i, k in enumerate(_RELATIONS)}
        edges.sort(key=lambda e: (rank.get(e[2], len(rank)), -e[3], str(e[0]), str(e[1]), e[2]))
        omitted = len(edges) - cap
        edges = edges[:cap]
    return edges, omitted


def _out_edges(G: nx.MultiDiGraph, u: str) -> Iterable[tuple[str, str, str, float]]:
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


# -- rendering ---------------------------------------------------------------
def _render(G: nx.MultiDiGraph, sel: _Selection, edges: list[tuple[str, str, str, float]],
            omitted_edges: int, heading: str, physics: bool | None, renderer: str) -> View:
    index = {n: i for i, n in enumerate(sel.nodes)}
    positions = layout(sel.nodes, [(index[u], index[v]) for u, v, _, _ in edges])
    if renderer == "auto":
        renderer = "vis" if len(sel.nodes) <= VIS_MAX_NODES else "canvas"
    physics_on = renderer == "vis" and (len(sel.nodes) <= PHYSICS_MAX_NODES if physics is None else bool(physics))

    types: dict[str, int] = {}
    papers: list[dict[str, Any]] = []
    paper_index: dict[str, int] = {}

    def paper_ref(p: str) -> int:
        if p not in paper_index:
            data = G.nodes[p]
            paper_index[p] = len(papers)
            url = data.get("url")
            papers.append({
                "id": str(p),
                "title": _text(data.get("title")) or str(p),
                "date": _text(data.get("date")),
                "url": url if isinstance(url, str) and _URL_OK.match(url) else "",
                "authors": _clip(", ".join(_text(a) for a in (data.get("authors") or [])[:6]), 200),
            })
        return paper_index[p]

    vis_nodes: list[dict[str, Any]] = []
    meta_nodes: list[dict[str, Any]] = []
    degree = [0] * len(sel.nodes)
    for u, v, _, _ in edges:
        degree[index[u]] += 1
        degree[index[v]] += 1
    for i, n in enumerate(sel.nodes):
        data = G.nodes[n]
        vtype = _vis_type(G, n)
        types[vtype] = types.get(vtype, 0) + 1
        is_paper = vtype == "paper"
        full = _node_label(G, n)
        x, y = positions[i]
        value = (1 + G.degree(n)) if is_paper else max(1, _papers(G, n))
        vis = {"id": i, "label": _clip(full, _LABEL_MAX), "x": x, "y": y, "value": value,
               "color": TYPE_COLORS.get(vtype, _OTHER_COLOR), "shape": "square" if is_paper else "dot"}
        if sel.center == n:
            vis["borderWidth"] = 4
            vis["color"] = {"background": vis["color"], "border": "#222"}
        vis_nodes.append(vis)
        meta: dict[str, Any] = {"id": str(n), "label": _text(full), "type": vtype, "degree": degree[i]}
        if sel.hops is not None:
            meta["hops"] = sel.hops[n]
        if is_paper:
            meta["paper"] = paper_ref(n)
            ents = _mention_out(G, n)
            meta["entities"] = [_clip(_node_label(G, e), 80) for e in ents[:_PANEL_ENTITIES]]
            meta["more"] = max(0, len(ents) - _PANEL_ENTITIES)
            meta["evidence"] = _clip(_text(data.get("abstract")), _SENTENCE_MAX)
        else:
            meta["papers"] = _papers(G, n)
            meta["mentions"] = data.get("mentions") if isinstance(data.get("mentions"), int) else 0
            meta["aliases"] = [_text(a[0]) for a in (data.get("aliases") or [])
                               if isinstance(a, (list, tuple)) and a and _text(a[0]) != full][:8]
            ps = _mention_in(G, n)
            meta["refs"] = [paper_ref(p) for p in ps[:_PANEL_PAPERS]]
            meta["more"] = max(0, len(ps) - _PANEL_PAPERS)
            meta["evidence"] = _clip(_first_sentence(G, n), _SENTENCE_MAX)
        meta_nodes.append(meta)

    vis_edges = []
    for u, v, key, w in edges:
        e: dict[str, Any] = {"from": index[u], "to": index[v]}
        if key in _RELATIONS:
            e.update(arrows="to", color={"color": "#555555", "opacity": 0.9}, dashes=key == "evaluated_on",
                     width=2)
        elif key == "co_occurs" and w > 1:
            e["width"] = round(min(6.0, 1 + math.log2(w)), 2)
        vis_edges.append(e)

    order = [t for t in TYPE_COLORS if t in types] + sorted(t for t in types if t not in TYPE_COLORS)
    legend = [{"name": t, "color": TYPE_COLORS.get(t, _OTHER_COLOR), "count": types[t]} for t in order]
    omitted = sel.total - len(sel.nodes)
    note = []
    if omitted:
        basis = "nearest, then most connected" if sel.center else "most connected"
        note.append(f"Showing the {len(sel.nodes):,} {basis} of {sel.total:,} {sel.what}; "
                    f"{omitted:,} left out.")
    if omitted_edges:
        note.append(f"{omitted_edges:,} weaker links left out ({len(edges):,} drawn).")
    if not sel.nodes:
        note.append("This graph has nothing to show yet.")
    big = len(sel.nodes) > 2000
    options = _vis_options(physics_on, big, len(sel.nodes))
    meta_doc = {"title": heading, "note": " ".join(note), "renderer": renderer, "types": legend, "nodes": meta_nodes,
                "papers": papers, "center": index.get(sel.center) if sel.center else None,
                "counts": {"nodes": len(sel.nodes), "edges": len(edges), "total": sel.total,
                           "omitted_nodes": omitted, "omitted_edges": omitted_edges}}
    page = _page(vis_nodes, vis_edges, options, meta_doc, heading, with_vis=renderer == "vis")
    return View(html=page, title=heading, nodes=len(sel.nodes), edges=len(edges),
                omitted_nodes=omitted, omitted_edges=omitted_edges)


def _mention_out(G: nx.MultiDiGraph, p: str) -> list[str]:
    """Entities *p* mentions (adjacency read directly: edge views are slow at this scale)."""
    if not (G.is_multigraph() and G.is_directed()):
        return []
    return [v for v, keys in G._succ[p].items() if "mention" in keys]


def _mention_in(G: nx.MultiDiGraph, e: str) -> list[str]:
    """Papers that mention *e*, in graph order."""
    if not (G.is_multigraph() and G.is_directed()):
        return []
    return [u for u, keys in G._pred[e].items() if "mention" in keys]


def _first_sentence(G: nx.MultiDiGraph, e: str) -> str:
    for p in _mention_in(G, e):
        for ev in G._succ[p][e]["mention"].get("evidence") or []:
            if isinstance(ev, dict) and ev.get("sentence"):
                return _text(ev["sentence"])
    return ""


def _text(value: Any) -> str:
    """Plain text; never markup, whatever it contains (the page collapses whitespace)."""
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _vis_options(physics: bool, big: bool, n: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -3000, "springLength": 90, "damping": 0.3,
                          "avoidOverlap": 0.1},
            "stabilization": {"enabled": physics, "iterations": 150, "fit": True},
            "minVelocity": 1.0,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {"min": 6, "max": 36,
                        "label": {"enabled": True, "min": 12, "max": 34, "maxVisible": 34,
                                  "drawThreshold": 6}},
            "font": {"face": "system-ui, sans-serif", "size": 12, "color": "#222222",
                     "strokeWidth": 0 if big else 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "hoverWidth": 0,
            "color": {"color": "#b4b4b4", "highlight": "#333333", "hover": "#777777",
                      "inherit": False, "opacity": 0.5 if big else 0.8},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "multiselect": False, "keyboard": False,
                        "navigationButtons": False},
    }


# -- the page ----------------------------------------------------------------
def _script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``</script>``, ``<!--`` and friends are escaped."""
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """vis-network (from pyvis), kg's script and style; checked once."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    try:
        assets = {
            "vis_js": (lib / "vis-network.min.js").read_text(encoding="utf-8"),
            "vis_css": (lib / "vis-network.css").read_text(encoding="utf-8"),
            "kg_js": (_HERE / "view.js").read_text(encoding="utf-8"),
            "kg_css": (_HERE / "view.css").read_text(encoding="utf-8"),
        }
    except OSError as exc:
        raise ExportError(f"an asset of the HTML view is missing: {exc}",
                          hint="reinstall kg and pyvis==0.3.2") from None
    for name, text in assets.items():
        if re.search(r"</(script|style)", text, re.IGNORECASE):
            raise ExportError(f"asset {name} cannot be inlined: it contains a closing script/style tag")
    return assets


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _page(vis_nodes: list[dict[str, Any]], vis_edges: list[dict[str, Any]], options: dict[str, Any],
          meta: dict[str, Any], heading: str, *, with_vis: bool) -> str:
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup
    from pyvis.network import Network

    a = _assets()
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    # Fill the lists directly: add_node/add_edge scan lists (quadratic) and assert.
    net.nodes = vis_nodes
    net.edges = vis_edges
    net.node_ids = [n["id"] for n in vis_nodes]
    net.options = options
    env = Environment(loader=FileSystemLoader(str(_HERE)), autoescape=True, keep_trailing_newline=True)
    env.filters["script_json"] = lambda obj: Markup(_script_json(obj))
    scripts = [a["vis_js"], a["kg_js"]] if with_vis else [a["kg_js"]]
    csp = ("default-src 'none'; script-src " + " ".join(_sha256(x) for x in scripts)
           + "; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    env.globals.update(
        kg_title=heading, kg_meta=meta, kg_csp=csp, kg_options=options,
        kg_vis_js=Markup(a["vis_js"]) if with_vis else None,
        kg_vis_css=Markup(a["vis_css"]) if with_vis else None,
        kg_js=Markup(a["kg_js"]), kg_css=Markup(a["kg_css"]),
    )
    net.templateEnv = env
    net.path = "view.html"
    try:
        return net.generate_html(name="graph.html")
    except (ValueError, TypeError) as exc:
        raise ExportError(f"cannot render the HTML view: {exc}") from None


# -- layout internals --------------------------------------------------------
def _components(adj: list[set[int]]) -> list[list[int]]:
    seen = [False] * len(adj)
    comps = []
    for s in range(len(adj)):
        if seen[s]:
            continue
        seen[s] = True
        comp, stack = [], [s]
        while stack:
            u = stack.pop()
            comp.append(u)
            for v in adj[u]:
                if not seen[v]:
                    seen[v] = True
                    stack.append(v)
        comp.sort()
        comps.append(comp)
    comps.sort(key=lambda c: (-len(c), c[0]))
    return comps


def _spiral(k: int) -> list[tuple[float, float]]:
    golden = math.pi * (3 - math.sqrt(5))
    return [(math.sqrt(i + 0.5) * math.cos(i * golden), math.sqrt(i + 0.5) * math.sin(i * golden))
            for i in range(k)]


def _layout_igraph(igraph: Any, g: Any, seed: int) -> list[tuple[float, float]]:
    """Fruchterman-Reingold (with a grid above 500 nodes) on one connected igraph graph."""
    k = g.vcount()
    if k == 2:
        return [(0.0, 0.0), (1.0, 0.0)]
    # igraph draws its random start from this generator: seeded, so the layout is reproducible
    igraph.set_random_number_generator(random.Random(seed))
    try:
        lay = g.layout_fruchterman_reingold(niter=500 if k <= 500 else 200 if k <= 5000 else 80, grid=k > 500)
    finally:
        igraph.set_random_number_generator(random)
    return [(float(x), float(y)) for x, y in lay.coords]


def _layout_component(comp: list[int], adj: list[set[int]], seed: int) -> list[tuple[float, float]]:
    """Without igraph: NetworkX's spring layout up to 500 nodes, else a breadth-first spiral."""
    k = len(comp)
    if k == 2:
        return [(0.0, 0.0), (1.0, 0.0)]
    local = {u: i for i, u in enumerate(comp)}
    pairs = sorted({(min(local[u], local[v]), max(local[u], local[v])) for u in comp for v in adj[u]})
    if k <= 500:
        H = nx.Graph()
        H.add_nodes_from(range(k))
        H.add_edges_from(pairs)
        pos = nx.spring_layout(H, seed=seed, iterations=100)
        return [(float(pos[i][0]), float(pos[i][1])) for i in range(k)]
    # No igraph and a large component: a spiral in breadth-first order keeps neighbours close.
    order, seen = [], {0}
    queue = [0]
    while queue:
        u = queue.pop(0)
        order.append(u)
        for v in sorted(local[w] for w in adj[comp[u]]):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    spots = _spiral(k)
    pos = [(0.0, 0.0)] * k
    for rank, u in enumerate(order):
        pos[u] = spots[rank]
    return pos


def _normalise(pos: list[tuple[float, float]], scale: float) -> list[tuple[float, float]]:
    """Scale a component so that each node has about ``scale**2`` of area, and move it to the origin."""
    xs = [p[0] for p in pos]
    ys = [p[1] for p in pos]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    area = max(w, 1e-9) * max(h, 1e-9) if w > 1e-9 and h > 1e-9 else max(w, h, 1e-9) ** 2
    f = scale * math.sqrt(len(pos) / area)
    mx, my = min(xs), min(ys)
    return [((x - mx) * f, (y - my) * f) for x, y in zip(xs, ys)]


def _pack(placed: list[tuple[list[int], list[tuple[float, float]]]], singles: list[int], scale: float,
          out: list[tuple[float, float]]) -> None:
    """Shelf-pack components (largest first) into rows about as wide as the largest is tall."""
    gap = scale
    boxes = [(max(p[0] for p in pos), max(p[1] for p in pos)) for _, pos in placed]
    area = sum((w + gap) * (h + gap) for w, h in boxes) + len(singles) * scale * scale
    width = max([math.sqrt(area) * 1.2] + [w for w, _ in boxes])
    x = y = row_h = 0.0
    for (comp, pos), (w, h) in zip(placed, boxes):
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        for u, (px, py) in zip(comp, pos):
            out[u] = (x + px, y + py)
        x += w + gap
        row_h = max(row_h, h)
    if singles:
        y0 = y + row_h + gap if placed else 0.0
        cols = max(1, int(width // scale) if placed else math.ceil(math.sqrt(len(singles))))
        for i, u in enumerate(singles):
            out[u] = ((i % cols) * scale, y0 + (i // cols) * scale)
