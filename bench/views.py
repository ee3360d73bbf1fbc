"""Benchmark the HTML views: write time and first draw in headless Chromium.

    python bench/views.py [--sizes 1000,5000,20000] [--baseline/--no-baseline]

Synthetic graphs in kg's schema: N entities of the five types, N/2 papers,
each paper mentioning 2-8 entities (popular ones more often), co_occurs
edges between the entities of a paper; communities are detected as
``kg build`` does (their time is the "communities" column), so the page has
community colours, names and grouped layout. The overview draws every entity
(``max_nodes=0``). "first draw" is the time from navigation start to vis-network's
first ``afterDrawing`` event, with the network off; the page is opened once to
warm up, then the median of three loads is reported.

The baseline is pyvis as the issue measured it: ``Network(cdn_resources="in_line")``
with the same nodes, positions and edges filled in directly and physics off, with
its default template (dynamic smooth edges, Bootstrap link, which is aborted here).
``from_nx`` is timed only where it is cheap (it is quadratic).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx

from kg.communities import assign_communities
from kg.export.html import layout, write_html
from kg.types import ENTITY_TYPES
from tests.browser import launch, missing_reason, open_offline


def synthetic_graph(n_entities: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """A graph in kg's schema with *n_entities* entities and about half as many papers."""
    rnd = random.Random(seed)
    G = nx.MultiDiGraph(schema=1)
    ents = [f"{ENTITY_TYPES[i % 5]}-{i:016x}" for i in range(n_entities)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_entities)]
    papers: dict[str, int] = {e: 0 for e in ents}
    mentions: dict[str, list[tuple[str, str]]] = {}
    for p in range(n_entities // 2):
        pid = f"P-{p:016x}"
        title = f"Paper {p} on synthetic graphs"
        G.add_node(pid, kind="paper", title=title, abstract=f"We study entity {p}. " * 3,
                   authors=["A. Author"], date="2024-01-01", url=f"https://example.org/{p}",
                   doi=None, venue=None, identifier=None, sources=["bench"])
        # every entity is in at least one paper; popular ones in many
        extra = rnd.choices(range(n_entities), weights=weights, k=rnd.randint(0, 4))
        chosen = sorted(set(extra + [(2 * p) % n_entities, (2 * p + 1) % n_entities]))
        mentions[pid] = [(ents[i], f"Entity {i}") for i in chosen]
    for e in ents:
        i = int(e.split("-")[1], 16)
        G.add_node(e, kind="entity", type=e.split("-")[0], label=f"Entity {i}", key=f"entity {i}",
                   aliases=[[f"Entity {i}", 2], [f"E{i}", 1]], papers=0, mentions=0)
    cooc: dict[tuple[str, str], int] = {}
    for pid, ms in mentions.items():
        for e, text in ms:
            sentence = f"We use {text} in paper {pid}."
            G.add_edge(pid, e, key="mention", kind="mention", role="uses", count=1,
                       evidence=[{"field": "abstract", "start": 7, "end": 7 + len(text), "text": text,
                                  "sentence": sentence, "sent_start": 0, "source": "model",
                                  "confidence": 1.0, "role": "uses"}])
            papers[e] += 1
        es = [e for e, _ in ms]
        for a in range(len(es)):
            for b in range(a + 1, len(es)):
                cooc[(es[a], es[b])] = cooc.get((es[a], es[b]), 0) + 1
    for e in ents:
        G.nodes[e]["papers"] = papers[e]
        G.nodes[e]["mentions"] = papers[e]
    for (a, b), w in sorted(cooc.items()):
        G.add_edge(a, b, key="co_occurs", kind="co_occurs", weight=w)
    return G


def pyvis_baseline(G: nx.MultiDiGraph, path: Path) -> float:
    """pyvis with in_line resources, lists filled directly, Python layout, physics off."""
    from pyvis.network import Network

    t0 = time.perf_counter()
    ents = [n for n, k in G.nodes(data="kind") if k == "entity"]
    index = {n: i for i, n in enumerate(ents)}
    pairs = [(index[u], index[v]) for u, v, k in G.edges(keys=True) if k == "co_occurs"]
    pos = layout(ents, pairs)
    net = Network(cdn_resources="in_line")
    net.nodes = [{"id": n, "label": G.nodes[n]["label"], "x": pos[i][0], "y": pos[i][1], "shape": "dot",
                  "size": 10, "title": G.nodes[n]["label"], "color": "#97c2fc"} for i, n in enumerate(ents)]
    net.node_ids = list(ents)
    net.edges = [{"from": ents[u], "to": ents[v], "arrows": "to"} for u, v in pairs]
    net.toggle_physics(False)
    net.write_html(str(path))
    return time.perf_counter() - t0


def from_nx_time(G: nx.MultiDiGraph) -> float:
    from pyvis.network import Network

    H = nx.Graph()
    for n, d in G.nodes(data=True):
        if d.get("kind") == "entity":
            H.add_node(n, label=d["label"])
    H.add_edges_from((u, v) for u, v, k in G.edges(keys=True) if k == "co_occurs")
    t0 = time.perf_counter()
    Network(cdn_resources="in_line").from_nx(H)
    return time.perf_counter() - t0


# pyvis's page assigns its vis.Network to the global `network`; catch it to time the first frame.
_HOOK = """
Object.defineProperty(window, "network", { configurable: true,
  get() { return this.__net; },
  set(v) { this.__net = v; v.once("afterDrawing", () => { window.__t = performance.now(); }); } });
"""


def first_draw(browser, path: Path, *, runs: int = 3, kg_page: bool = True, timeout: float = 120.0) -> float:
    """Median seconds from navigation start to the first drawn frame."""
    times = []
    for i in range(runs + 1):
        with open_offline(browser, path, init_script=None if kg_page else _HOOK) as (page, rec):
            if kg_page:
                page.wait_for_function("window.kgView && kgView.state.drawn", timeout=timeout * 1000)
                ms = page.evaluate("kgView.state.firstDraw")
            else:
                page.wait_for_function("window.__t !== undefined", timeout=timeout * 1000)
                ms = page.evaluate("window.__t")
            if rec.page_errors:
                raise RuntimeError(f"page errors: {rec.page_errors[:3]}")
        if i:  # the first load warms the browser up
            times.append(ms / 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000,20000", help="Entity counts, comma-separated.")
    ap.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                    help="Also time plain pyvis (in_line, physics off) for comparison.")
    ap.add_argument("--runs", type=int, default=3, help="Page loads per measurement (median).")
    args = ap.parse_args(argv)
    reason = missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 1
    sizes = [int(s) for s in args.sizes.split(",")]
    t0 = time.perf_counter()
    write_html(synthetic_graph(10), Path(tempfile.mkdtemp()) / "warm.html")  # imports pyvis, igraph, jinja2
    cold = time.perf_counter() - t0
    rows = []
    with tempfile.TemporaryDirectory() as tmp, launch() as browser:
        for n in sizes:
            G = synthetic_graph(n)
            t0 = time.perf_counter()
            assign_communities(G)
            comm_s = time.perf_counter() - t0
            out = Path(tmp) / f"kg-{n}.html"
            t0 = time.perf_counter()
            write_html(G, out, max_nodes=0)
            write_s = time.perf_counter() - t0
            draw_s = first_draw(browser, out, runs=args.runs)
            row = {"nodes": n, "edges": sum(1 for *_, k in G.edges(keys=True) if k == "co_occurs"),
                   "write": write_s, "draw": draw_s, "size": out.stat().st_size / 1e6, "comm": comm_s}
            if args.baseline:
                base = Path(tmp) / f"pyvis-{n}.html"
                row["pv_write"] = pyvis_baseline(G, base)
                row["pv_draw"] = first_draw(browser, base, runs=1, kg_page=False, timeout=240)
                row["from_nx"] = from_nx_time(G) if n <= 1000 else None
            rows.append(row)
            print(f"  measured {n:,} nodes", file=sys.stderr)
    head = f"{'nodes':>7} {'links':>8} {'MB':>6} {'communities':>12} {'kg write':>9} {'kg draw':>8}"
    if args.baseline:
        head += f" {'pyvis write':>12} {'pyvis draw':>11} {'from_nx':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        line = (f"{r['nodes']:>7,} {r['edges']:>8,} {r['size']:>6.1f} {r['comm']:>11.2f}s {r['write']:>8.2f}s "
                f"{r['draw']:>7.2f}s")
        if args.baseline:
            fx = f"{r['from_nx']:>7.2f}s" if r["from_nx"] is not None else f"{'-':>8}"
            line += f" {r['pv_write']:>11.2f}s {r['pv_draw']:>10.2f}s {fx}"
        print(line)
    print(f"kg write times exclude the one-off imports of pyvis, igraph and jinja2 ({cold:.2f}s, "
          "paid once per process)")
    print("targets: first draw <= 1 s at 5k and <= 2 s at 20k; write <= 5 s at 20k")
    return 0


if __name__ == "__main__":
    sys.exit(main())
