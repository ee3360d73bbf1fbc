"""Interactive HTML views of the graph: one self-contained file per view.

The public entry (:func:`render_view`, :func:`write_html`) and the only
module of kg that imports pyvis. A view is made in four steps, one module
each:

==========================  ===================================================
:mod:`.view_select`         which nodes and edges to draw (overview or ego view)
:mod:`.view_layout`         where they go (igraph's Fruchterman-Reingold)
:mod:`.view_page`           what the page shows and its template, script, style, policy
this module                 rendering the page with pyvis
==========================  ===================================================

What kg takes from pyvis, and nothing more: vis-network 9.1.2 (the script
and style pyvis ships in ``templates/lib``), and ``Network.generate_html``,
which renders kg's template (``view.html``, ``view.js``, ``view.css`` beside
this module) with the network's nodes, edges and size. The ``Network`` is
filled directly (no ``from_nx``: it is quadratic and mutates its input;
no ``add_node``: it scans lists and asserts) with ``cdn_resources="in_line"``;
pyvis's own template links Bootstrap from a CDN and inserts the heading and
menus as raw HTML, so it is not used.

What a page guarantees:

* **Offline.** vis-network, kg's script and style are inlined; a
  Content-Security-Policy (``default-src 'none'``) forbids every request.
* **No injected script.** Untrusted strings (titles, abstracts, labels)
  travel as JSON inside ``<script type="application/json">`` with ``<``,
  ``>`` and ``&`` escaped, and the page script only ever puts them in the
  DOM with ``textContent``. The policy allows exactly the two inline scripts
  by their SHA-256 hash, so even markup that slipped through could not run.
* **Fast.** Positions come from a deterministic layout (igraph's
  Fruchterman-Reingold, with a grid above 500 nodes, per connected
  component); physics is off above :data:`PHYSICS_MAX_NODES` nodes; edges are
  straight. vis-network draws views small enough for physics; the others,
  the overview included, kg's own canvas renderer (``view.js``) draws, with
  community names at overview zoom and node labels without overlap, because
  vis-network spends about 50 microseconds per node or edge before its first
  frame (7 s at 20k nodes). Above *max_nodes* the most connected nodes are
  kept and the page says what was left out.
* **A map.** Where entities carry a ``community`` (:mod:`kg.communities`),
  the overview colours and groups by community (the page can switch to
  type), and its search covers every node of the graph, drawn or not.
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

import os
from functools import lru_cache
from pathlib import Path

import networkx as nx

from ..errors import ArgumentError, ExportError
from .view_layout import layout, layout_groups
from .view_page import (
    PHYSICS_MAX_NODES,
    RENDERERS,
    TEMPLATE,
    TYPE_COLORS,
    VIS_MAX_NODES,
    Page,
    View,
    environment,
    page,
    read_assets,
)
from .view_select import (
    ego_graph,
    layout_groups_of,
    node_label,
    select_edges,
    select_ego,
    select_overview,
)

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
        vis-network where physics runs (up to :data:`PHYSICS_MAX_NODES` nodes).

    Returns
    -------
    View
    """
    if not isinstance(G, nx.Graph):
        raise ArgumentError(f"expected a networkx graph, got {type(G).__name__}",
                            hint="pass KnowledgeGraph.graph or the result of kg.graph.build_graph")
    if max_nodes is not None and max_nodes < 0:
        raise ArgumentError(f"max_nodes must be 0 (no cap) or more, got {max_nodes}")
    if max_edges is not None and max_edges < 0:
        raise ArgumentError(f"max_edges must be 0 (no cap) or more, got {max_edges}")
    if renderer not in RENDERERS:
        raise ArgumentError(f"unknown renderer {renderer!r}", hint="use one of: " + ", ".join(RENDERERS))
    if node_id is None:
        cap = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
        sel = select_overview(G, cap or None, include_papers)
        heading = title or "kg knowledge graph"
    else:
        cap = DEFAULT_EGO_MAX_NODES if max_nodes is None else max_nodes
        sel = select_ego(G, node_id, hops, cap or None)
        heading = title or f"{node_label(G, node_id)} (within {hops} hop{'s' if hops != 1 else ''})"
    edges, omitted_edges = select_edges(G, sel, max_edges)
    index = {n: i for i, n in enumerate(sel.nodes)}
    pairs = [(index[u], index[v]) for u, v, _, _ in edges]
    groups = layout_groups_of(G, sel, edges) if node_id is None else None
    positions = layout(sel.nodes, pairs) if groups is None else layout_groups(sel.nodes, pairs, groups)
    pg = page(G, sel, edges, omitted_edges, positions, heading, physics, renderer)
    return View(html=_html(pg), title=heading, nodes=len(sel.nodes), edges=len(edges),
                omitted_nodes=pg.omitted_nodes, omitted_edges=pg.omitted_edges)


def _html(pg: Page) -> str:
    """The page, rendered by pyvis's ``Network.generate_html`` through kg's template."""
    from pyvis.network import Network

    vis_js, vis_css = _vis_network()
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    # Fill the lists directly: add_node/add_edge scan lists (quadratic) and assert.
    net.nodes = pg.nodes
    net.edges = pg.edges
    net.node_ids = [n["id"] for n in pg.nodes]
    net.options = pg.options
    net.templateEnv = environment(pg, vis_js, vis_css)
    net.path = TEMPLATE
    try:
        return net.generate_html(name="graph.html")
    except (ValueError, TypeError) as exc:
        raise ExportError(f"cannot render the HTML view: {exc}") from None


@lru_cache(maxsize=1)
def _vis_network() -> tuple[str, str]:
    """vis-network's script and style, as pyvis ships them; read and checked once."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    js, css = read_assets(lib, ("vis-network.min.js", "vis-network.css"), hint="reinstall pyvis==0.3.2")
    return js, css
