"""GraphML and GEXF exports: kg's graph for Gephi, Cytoscape and yEd.

Those tools colour and size by plain node and edge attributes, so the export
keeps kg's nodes and edges (one edge per kind between two nodes, as in
``graph.json``) and flattens their data to scalars:

* nodes: ``label`` (entity label or paper title), ``kind`` (``paper`` or
  ``entity``), ``type`` (the entity type, ``paper`` for papers),
  ``community`` (the entity's community, the community most of a paper's
  entities are in, ``-1`` for none), ``papers`` and ``mentions`` (entities),
  ``degree`` (links in the graph), ``first_year`` and ``last_year``
  (entities, 0 where unknown), and ``date``, ``year`` (0 where the date has
  none), ``url``, ``doi``, ``venue`` for papers (empty where unknown);
* edges: ``kind`` (``mention``, ``co_occurs``, ``used_for``,
  ``evaluated_on``), ``weight`` (shared papers, mentions or papers giving
  evidence) and ``role`` (a mention's role, else empty).

Evidence sentences and abstracts stay in ``graph.json``: they would make the
files large and the tools slow.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T", date="2021")
>>> G.add_node("method-a", kind="entity", type="method", label="A", papers=1, mentions=2, community=0)
>>> _ = G.add_edge("P-1", "method-a", key="mention", kind="mention", role="uses", count=2)
>>> H = tools_graph(G)
>>> H.nodes["P-1"]["community"], H.nodes["P-1"]["year"], H.edges["P-1", "method-a", "mention"]["weight"]
(0, 2021, 2)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import networkx as nx

from .._io import atomic_write
from ..communities import paper_communities
from ..errors import ArgumentError, ExportError
from ..graph import ENTITY, PAPER
from ..trends import year_of

__all__ = ["GRAPH_FORMATS", "tools_graph", "write_tools_graph"]

#: Format name -> file extension.
GRAPH_FORMATS = {"graphml": ".graphml", "gexf": ".gexf"}


def tools_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of *G* with scalar attributes only (see the module docstring), in *G*'s order."""
    membership = {n: d["community"] for n, d in G.nodes(data=True)
                  if d.get("kind") == ENTITY and isinstance(d.get("community"), int)}
    paper_comm = paper_communities(G, membership) if membership else {}
    H = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        is_paper = d.get("kind") == PAPER
        attrs: dict[str, Any] = {
            "label": _str(d.get("title") if is_paper else d.get("label")) or str(n),
            "kind": _str(d.get("kind")),
            "type": PAPER if is_paper else _str(d.get("type")),
            "community": paper_comm.get(n, -1) if is_paper else membership.get(n, -1),
            "papers": _int(d.get("papers")),
            "mentions": _int(d.get("mentions")),
            "degree": G.degree(n),
        }
        if not is_paper:
            attrs.update(first_year=_int(d.get("first_year")), last_year=_int(d.get("last_year")))
        if is_paper:
            date = _str(d.get("date"))
            attrs.update(date=date, year=year_of(date) or 0, url=_str(d.get("url")), doi=_str(d.get("doi")),
                         venue=_str(d.get("venue")))
        H.add_node(_str(n), **attrs)
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(_str(u), _str(v), key=_str(k), kind=_str(d.get("kind") or k), weight=_int(d.get("weight", d.get("count", 1))),
                   role=_str(d.get("role")))
    return H


def write_tools_graph(G: nx.MultiDiGraph, path: str | os.PathLike[str], *, format: str = "graphml") -> Path:
    """Write *G* as GraphML or GEXF (``format``) to *path*, atomically; returns the path.

    Raises :class:`~kg.errors.ArgumentError` for another format and
    :class:`~kg.errors.ExportError` if the file cannot be written.
    """
    if format not in GRAPH_FORMATS:
        raise ArgumentError(f"unknown graph format {format!r}", hint="use one of: " + ", ".join(GRAPH_FORMATS))
    H = tools_graph(G)
    target = Path(path)
    try:
        with atomic_write(target, "wb") as f:
            if format == "graphml":
                nx.write_graphml(H, f, named_key_ids=True)
            else:
                nx.write_gexf(H, f)
    except OSError as exc:
        raise ExportError(f"cannot write {target} ({exc.strerror or exc})") from None
    return target


#: What XML 1.0 cannot hold (GraphML and GEXF are XML): C0 controls but tab, LF and CR, lone
#: surrogates and the two non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _str(value: Any) -> str:
    """*value* as XML-safe text: characters XML 1.0 forbids become U+FFFD.

    >>> _str("a\x01b"), _str(None)
    ('a\ufffdb', '')
    """
    return "" if value is None else _NOT_XML.sub("\ufffd", str(value))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
