"""The page of an HTML view: what it shows about each node, its options, script, style and policy.

Turns a selection (:mod:`kg.export.view_select`) and its positions
(:mod:`kg.export.view_layout`) into the data of one self-contained page:
vis-network's nodes, edges and options, and kg's own document for the side
panel, legend and search (``kg-meta``). :func:`environment` prepares kg's
template (``view.html`` beside this module) with kg's script and style
inlined and a Content-Security-Policy that allows exactly the page's inline
scripts, by hash; :mod:`kg.export.html` renders it through pyvis.

Untrusted strings (titles, abstracts, labels) only ever travel as JSON inside
``<script type="application/json">``, with ``<``, ``>`` and ``&`` escaped
(:func:`script_json`).

>>> script_json({"title": "</script><b>"})
'{"title":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from .._io import atomic_write
from ..errors import ExportError
from ..graph import CO_OCCURS, EVALUATED_ON, MENTION, PAPER, RELATION_KEYS
from ..trends import entity_years, paper_years
from .view_select import Edge, Selection, node_label, paper_count, vis_type

__all__ = ["COMMUNITY_COLORS", "PHYSICS_MAX_NODES", "RENDERERS", "SEARCH_MAX", "TEMPLATE", "TYPE_COLORS",
           "VIS_MAX_NODES", "Page", "View",
           "environment", "page", "read_assets", "script_json"]

#: Views with more nodes than this draw with physics off (the layout is final).
PHYSICS_MAX_NODES = 150
#: Above this many nodes ``renderer="vis"`` is slow: vis-network spends about 50 microseconds
#: per node or edge before its first frame ("auto" uses it only where physics runs).
VIS_MAX_NODES = 1000
RENDERERS = ("auto", "vis", "canvas")

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
#: Colours of the largest drawn communities (Tableau 20, dark shades first); the rest are grey.
COMMUNITY_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#499894", "#b6992d", "#d37295",
                    "#9d7660", "#79706e", "#a0cbe8", "#ffbe7d", "#8cd17d", "#ff9d9a", "#d4a6c8", "#86bcb6",
                    "#f1ce63", "#fabfd2", "#d7b5a6", "#bab0ac")
_COMMUNITY_OTHER = "#cfcfcf"
#: Undrawn nodes findable by the page's search (the most connected first); the page says when more exist.
SEARCH_MAX = 50000
_NEAR = 8

_HERE = Path(__file__).resolve().parent
#: kg's page template, beside this module with its script and style.
TEMPLATE = "view.html"
_LABEL_MAX = 40
_SENTENCE_MAX = 300
_PANEL_PAPERS = 25
_PANEL_ENTITIES = 40
_URL_OK = re.compile(r"^https?://[^\s\"'<>\\]+$", re.IGNORECASE)


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


@dataclass(frozen=True)
class Page:
    """What one page shows: vis-network's nodes, edges and options, and kg's document (``kg-meta``)."""

    heading: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    meta: dict[str, Any]
    with_vis: bool            # drawn by vis-network (else by kg's canvas renderer)
    omitted_nodes: int
    omitted_edges: int


def page(G: nx.MultiDiGraph, sel: Selection, edges: list[Edge], omitted_edges: int,
         positions: list[tuple[float, float]], heading: str, physics: bool | None, renderer: str) -> Page:
    """The page of the selected nodes (at *positions*, in order) and *edges* of *G*."""
    index = {n: i for i, n in enumerate(sel.nodes)}
    if renderer == "auto":  # vis-network only where its physics runs: kg's canvas draws labels and clusters
        renderer = "vis" if len(sel.nodes) <= PHYSICS_MAX_NODES and physics is not False else "canvas"
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

    dated = paper_years(G)
    year_range = _year_range(dated)
    entity_year = entity_years(G, dated) if year_range else {}
    comm_colour = _community_colours(G, sel.nodes)
    colour_by = "community" if comm_colour else "type"
    vis_nodes: list[dict[str, Any]] = []
    meta_nodes: list[dict[str, Any]] = []
    degree = [0] * len(sel.nodes)
    for u, v, _, _ in edges:
        degree[index[u]] += 1
        degree[index[v]] += 1
    for i, n in enumerate(sel.nodes):
        data = G.nodes[n]
        vtype = vis_type(G, n)
        types[vtype] = types.get(vtype, 0) + 1
        is_paper = vtype == PAPER
        full = node_label(G, n)
        x, y = positions[i]
        value = (1 + G.degree(n)) if is_paper else max(1, paper_count(G, n))
        community = data.get("community")
        community = community if isinstance(community, int) and not is_paper else None
        type_colour = TYPE_COLORS.get(vtype, _OTHER_COLOR)
        colour = comm_colour.get(community, _COMMUNITY_OTHER) if colour_by == "community" and not is_paper else type_colour
        vis = {"id": i, "label": _clip(full, _LABEL_MAX), "x": x, "y": y, "value": value,
               "color": colour, "shape": "square" if is_paper else "dot"}
        if sel.center == n:
            vis["borderWidth"] = 4
            vis["color"] = {"background": vis["color"], "border": "#222"}
        vis_nodes.append(vis)
        meta: dict[str, Any] = {"id": str(n), "label": _text(full), "type": vtype, "degree": degree[i],
                                "links": _graph_degree(G, n)}
        if community is not None:
            meta["community"] = community
        if is_paper and year_range and n in dated:
            meta["year"] = dated[n]
        elif n in entity_year:
            meta["years"] = sorted(entity_year[n])
        if sel.hops is not None:
            meta["hops"] = sel.hops[n]
        if is_paper:
            meta["paper"] = paper_ref(n)
            ents = _mention_out(G, n)
            meta["entities"] = [_clip(node_label(G, e), 80) for e in ents[:_PANEL_ENTITIES]]
            meta["more"] = max(0, len(ents) - _PANEL_ENTITIES)
            meta["evidence"] = _clip(_text(data.get("abstract")), _SENTENCE_MAX)
        else:
            meta["papers"] = paper_count(G, n)
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
        if key in RELATION_KEYS:
            e.update(arrows="to", color={"color": "#555555", "opacity": 0.9}, dashes=key == EVALUATED_ON,
                     width=2)
        elif key == CO_OCCURS and w > 1:
            e["width"] = round(min(6.0, 1 + math.log2(w)), 2)
        vis_edges.append(e)

    communities = _community_meta(G, sel.nodes, positions, comm_colour)
    search_index = _search_index(G, sel, index, paper_ref)
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
    if search_index["more"]:
        note.append(f"Search covers the {SEARCH_MAX:,} most connected of the nodes left out.")
    big = len(sel.nodes) > 2000
    options = _vis_options(physics_on, big, len(sel.nodes))
    meta_doc = {"title": heading, "note": " ".join(note), "renderer": renderer, "types": legend, "nodes": meta_nodes,
                "papers": papers, "center": index.get(sel.center) if sel.center else None,
                "colorBy": colour_by, "communities": communities, "search": search_index,
                "typeColors": {t: TYPE_COLORS.get(t, _OTHER_COLOR) for t in order},
                "communityOther": _COMMUNITY_OTHER,
                "yearRange": year_range,
                "counts": {"nodes": len(sel.nodes), "edges": len(edges), "total": sel.total,
                           "omitted_nodes": omitted, "omitted_edges": omitted_edges}}
    return Page(heading=heading, nodes=vis_nodes, edges=vis_edges, options=options, meta=meta_doc,
                with_vis=renderer == "vis", omitted_nodes=omitted, omitted_edges=omitted_edges)


def _year_range(dated: dict[str, int]) -> list[int] | None:
    """[first, last] year of the dated papers, for the page's year control; None under two years."""
    if not dated or min(dated.values()) == max(dated.values()):
        return None
    return [min(dated.values()), max(dated.values())]


def _graph_degree(G: nx.MultiDiGraph, n: str) -> int:
    """Distinct neighbours of *n* in the whole graph (papers and entities, either direction)."""
    if not G.is_directed():
        return len(G._adj[n])
    return len(G._succ[n].keys() | G._pred[n].keys())


def _community_colours(G: nx.MultiDiGraph, nodes: list[str]) -> dict[int, str]:
    """Community -> colour for the communities of the drawn nodes, the most drawn first."""
    counts: dict[int, int] = {}
    for n in nodes:
        c = G.nodes[n].get("community")
        if isinstance(c, int) and G.nodes[n].get("kind") != PAPER:
            counts[c] = counts.get(c, 0) + 1
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    return {c: COMMUNITY_COLORS[k] if k < len(COMMUNITY_COLORS) else _COMMUNITY_OTHER for k, c in enumerate(ranked)}


def _community_meta(G: nx.MultiDiGraph, nodes: list[str], positions: list[tuple[float, float]],
                    colours: dict[int, str]) -> list[dict[str, Any]]:
    """The drawn communities, most drawn first: id, label, colour, drawn count, the graph's size,
    and where to write the label (above the middle of its drawn nodes)."""
    summaries = {c.get("id"): c for c in G.graph.get("communities") or [] if isinstance(c, dict)}
    members: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        c = G.nodes[n].get("community")
        if isinstance(c, int) and G.nodes[n].get("kind") != PAPER:
            members.setdefault(c, []).append(i)
    out = []
    for c, colour in colours.items():
        idx = members[c]
        xs = sorted(positions[i][0] for i in idx)
        ys = sorted(positions[i][1] for i in idx)
        summary = summaries.get(c, {})
        out.append({"id": c, "label": _clip(_text(summary.get("label")) or f"community {c}", 160),
                    "color": colour, "count": len(idx), "size": summary.get("size", len(idx)),
                    "x": xs[len(xs) // 2], "y": ys[0],
                    "h": round(ys[-1] - ys[0], 1)})
    return out


def _search_index(G: nx.MultiDiGraph, sel: Selection, index: dict[str, int], paper_ref: Any) -> dict[str, Any]:
    """Every node not drawn, for the page's search: rows ``[label, type, papers, near, paper, id]``
    (``near``: up to eight drawn nodes it links to, strongest first; ``paper``: its index in the
    page's papers, or -1), the most connected first, at most :data:`SEARCH_MAX`."""
    rest = [n for n in G.nodes if n not in index]
    rest.sort(key=lambda n: (-G.degree(n), str(n)))
    more = max(0, len(rest) - SEARCH_MAX)
    rows = []
    for n in rest[:SEARCH_MAX]:
        data = G.nodes[n]
        vtype = vis_type(G, n)
        near: dict[int, float] = {}
        sides = (G._succ[n], G._pred[n]) if G.is_directed() else (G._adj[n],)
        for side in sides:
            for v, keys in side.items():
                if v in index:
                    w = sum(_weight(d) for d in keys.values()) if G.is_multigraph() else 1.0
                    near[index[v]] = near.get(index[v], 0.0) + w
        ranked = sorted(near, key=lambda i: (-near[i], i))[:_NEAR]
        label = _clip(node_label(G, n), 160)
        aliases = [_text(a[0]) for a in (data.get("aliases") or [])[:3]
                   if isinstance(a, (list, tuple)) and a and _text(a[0]) != label]
        rows.append([label, vtype, paper_count(G, n), ranked, paper_ref(n) if vtype == PAPER else -1,
                     str(n), aliases])
    return {"rows": rows, "more": more}


def _weight(d: dict[str, Any]) -> float:
    w = d.get("weight", d.get("count", 1))
    return float(w) if isinstance(w, (int, float)) and not isinstance(w, bool) else 1.0


def _mention_out(G: nx.MultiDiGraph, p: str) -> list[str]:
    """Entities *p* mentions (adjacency read directly: edge views are slow at this scale)."""
    if not (G.is_multigraph() and G.is_directed()):
        return []
    return [v for v, keys in G._succ[p].items() if MENTION in keys]


def _mention_in(G: nx.MultiDiGraph, e: str) -> list[str]:
    """Papers that mention *e*, in graph order."""
    if not (G.is_multigraph() and G.is_directed()):
        return []
    return [u for u, keys in G._pred[e].items() if MENTION in keys]


def _first_sentence(G: nx.MultiDiGraph, e: str) -> str:
    for p in _mention_in(G, e):
        for ev in G._succ[p][e][MENTION].get("evidence") or []:
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


# -- the template ------------------------------------------------------------
def script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``</script>``, ``<!--`` and friends are escaped."""
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def read_assets(folder: Path, names: tuple[str, ...], *, hint: str) -> list[str]:
    """The text of each file *names* in *folder*, checked to be safe to inline in ``<script>``/``<style>``."""
    try:
        texts = [(folder / name).read_text(encoding="utf-8") for name in names]
    except OSError as exc:
        raise ExportError(f"an asset of the HTML view is missing: {exc}", hint=hint) from None
    for name, text in zip(names, texts):
        if re.search(r"</(script|style)", text, re.IGNORECASE):
            raise ExportError(f"asset {name} cannot be inlined: it contains a closing script/style tag")
    return texts


@lru_cache(maxsize=1)
def _kg_assets() -> tuple[str, str]:
    """kg's script and style (``view.js``, ``view.css``); read and checked once."""
    js, css = read_assets(_HERE, ("view.js", "view.css"), hint="reinstall kg")
    return js, css


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def environment(pg: Page, vis_js: str, vis_css: str) -> Any:
    """kg's Jinja environment for *pg*: template ``view.html``, kg's globals, the ``script_json`` filter.

    *vis_js* and *vis_css* are vis-network's script and style, inlined when
    vis-network draws the page. The template also reads ``nodes``, ``edges``,
    ``height`` and ``width``, which the renderer passes.
    """
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    kg_js, kg_css = _kg_assets()
    env = Environment(loader=FileSystemLoader(str(_HERE)), autoescape=True, keep_trailing_newline=True)
    env.filters["script_json"] = lambda obj: Markup(script_json(obj))
    scripts = [vis_js, kg_js] if pg.with_vis else [kg_js]
    csp = ("default-src 'none'; script-src " + " ".join(_sha256(x) for x in scripts)
           + "; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    env.globals.update(
        kg_title=pg.heading, kg_meta=pg.meta, kg_csp=csp, kg_options=pg.options,
        kg_vis_js=Markup(vis_js) if pg.with_vis else None,
        kg_vis_css=Markup(vis_css) if pg.with_vis else None,
        kg_js=Markup(kg_js), kg_css=Markup(kg_css),
    )
    return env
