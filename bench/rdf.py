"""RDF benchmark: serialisation (pyoxigraph vs rdflib), kg's exports, the embedded store, and pushes.

    python bench/rdf.py [--triples 1000000] [--rdflib-triples 50000] [--no-push]
    python bench/rdf.py --count exports/graph.nt     # triples by kind of an N-Triples file, and stop

Builds a synthetic kg graph of about --triples triples (hand-made papers and
mentions, no spaCy), then prints one table of triples per second and one of
triples by kind. rdflib is timed on a --rdflib-triples slice (it is ~100x
slower); pushes go to a local `oxigraph serve` and a local Virtuoso
(`virtuoso-t`, if installed) on 127.0.0.1 started here.
"""

from __future__ import annotations

import argparse
import gc
import io
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.export.rdf import default_graph_iri, ntriples_blocks, prefixes, write_rdf
from kg.graph import build_graph
from kg.store import build_store, push
from kg.types import Mention, Paper

TRIPLES_PER_PAPER = 80  # measured for synthetic()'s papers (mentions, entities; co-occurrence is not exported)

#: Kinds of triple, in table order: what an N-Triples line is about, from its subject and predicate.
KINDS = ("paper", "paper -> entity link", "mention", "entity", "typed relation", "co-occurrence", "dataset")
_LINKS = {f"<{u}>" for u in ("https://schema.org/mentions", "https://w3id.org/kg/ontology#proposes",
                             "https://w3id.org/kg/ontology#uses", "https://w3id.org/kg/ontology#evaluatesOn",
                             "https://kg.example.org/ontology#proposes", "https://kg.example.org/ontology#uses",
                             "https://kg.example.org/ontology#evaluatesOn")}


def triple_kinds(lines: Iterable[str]) -> Counter[str]:
    """Triples by :data:`KINDS` in N-Triples *lines* of a kg export (its default or the old namespace)."""
    counts: Counter[str] = Counter()
    for line in lines:
        s, p, _ = line.split(" ", 2)
        path = s.rsplit("/", 2)[-2] if s.count("/") > 3 else s
        if path == "paper":
            counts["paper -> entity link" if p in _LINKS else "paper"] += 1
        elif path == "entity":
            counts["co-occurrence" if p.endswith("#coOccursWith>") else "entity"] += 1
        elif path == "relation":
            counts["co-occurrence" if ".coOccursWith." in s else "typed relation"] += 1
        else:
            counts[path if path in KINDS else "dataset"] += 1
    return counts


def print_kinds(counts: Counter[str]) -> None:
    print(f"\n{'triples by kind':<22}  {'triples':>10}")
    print(f"{'-' * 22}  {'-' * 10}")
    for kind in [*KINDS, *sorted(set(counts) - set(KINDS))]:
        print(f"{kind:<22}  {counts[kind]:>10,}")
    print(f"{'total':<22}  {sum(counts.values()):>10,}")


def synthetic(n_papers: int):
    """Papers with five mentions each over a vocabulary of a few thousand entities."""
    items = []
    for i in range(n_papers):
        terms = [(f"Method{i % 997}", "method"), (f"Task{i % 101}", "task"), (f"Data{i % 211}", "dataset"),
                 (f"Metric{i % 17}", "metric"), (f"Concept{(i * 7) % 1499}", "concept")]
        s = "We apply " + ", ".join(t for t, _ in terms) + f' to "problem" #{i} \\ with émoji 🧪.'
        p = Paper(id=f"P-{i:016x}", title=f"Paper {i}: a <study> of \"things\"", abstract=s,
                  authors=(f"Author {i % 300}", f"Author {(i + 1) % 300}"), date="2024-01-01",
                  url=f"https://example.org/p/{i}")
        ms = [Mention(p.id, "abstract", s.index(t), s.index(t) + len(t), t, ty, s, 0, confidence=0.9)
              for t, ty in terms]
        items.append((p, ms, []))
    return build_graph(items)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}" if seconds > 0 else "         inf"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (approx.)")
    ap.add_argument("--rdflib-triples", type=int, default=50_000, help="slice rdflib serialises")
    ap.add_argument("--no-push", action="store_true", help="skip the push rows (no servers)")
    ap.add_argument("--keep", action="store_true", help="keep the files written (removed by default)")
    ap.add_argument("--count", metavar="FILE.nt", help="only print the triples by kind of this N-Triples file")
    args = ap.parse_args()
    if args.count:
        with open(args.count, encoding="utf-8") as f:
            print_kinds(triple_kinds(f))
        return

    rows: list[tuple[str, int, float]] = []
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-rdf-"))

    t0 = time.perf_counter()
    G = synthetic(max(1, args.triples // TRIPLES_PER_PAPER))
    print(f"synthetic graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    blocks = list(ntriples_blocks(G))
    n = sum(b.count("\n") for b in blocks)
    rows.append(("kg: generate the triples (N-Triples text) from the graph", n, time.perf_counter() - t0))
    kinds = triple_kinds(line for b in blocks for line in b.split("\n")[:-1])
    data = "".join(blocks).encode("utf-8")
    del blocks
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    gc.collect()

    for name, fmt in (("N-Triples", ox.RdfFormat.N_TRIPLES), ("Turtle", ox.RdfFormat.TURTLE)):
        t0 = time.perf_counter()
        ox.serialize(triples, io.BytesIO(), fmt, prefixes=prefixes() if fmt == ox.RdfFormat.TURTLE else None)
        rows.append((f"pyoxigraph: serialise {name} (triples in memory)", n, time.perf_counter() - t0))

    k = min(args.rdflib_triples, n)
    g = rdflib.Graph()
    g.parse(data=b"".join(data.splitlines(keepends=True)[:k]), format="nt")
    for name, fmt in (("N-Triples", "nt"), ("Turtle", "turtle")):
        t0 = time.perf_counter()
        g.serialize(format=fmt)
        rows.append((f"rdflib: serialise {name} ({k:,}-triple slice)", len(g), time.perf_counter() - t0))
    del g, triples
    gc.collect()

    for fmt, ext in (("ntriples", "nt"), ("nquads", "nq"), ("turtle", "ttl"), ("trig", "trig"),
                     ("jsonld", "jsonld")):
        t0 = time.perf_counter()
        m = write_rdf(G, tmp / f"graph.{ext}", format=fmt)
        rows.append((f"kg write_rdf(G, format={fmt!r}) end to end", m, time.perf_counter() - t0))

    t0 = time.perf_counter()
    m = build_store(G, tmp / "store")
    rows.append(("kg build_store(G) (bulk load, on disk)", m, time.perf_counter() - t0))

    if not args.no_push:
        sys.path.insert(0, str(ROOT))
        from tests.oxigraph_server import OxigraphServer
        from tests.virtuoso_server import VirtuosoServer, find_virtuoso

        graph = default_graph_iri()
        with OxigraphServer(tmp / "server-db") as srv:
            for label, atomic in (("new graph (POST)", True), ("replace, same triples (difference)", True),
                                  ("replace (--no-atomic: DELETE+POST)", False)):
                r = push(tmp / "graph.nt", srv.store_url, graph=graph, atomic=atomic)
                rows.append((f"Oxigraph: kg push N-Triples, {label}", r.triples, r.seconds))
            t0 = time.perf_counter()
            r = push(tmp / "graph.ttl", srv.store_url, graph=graph + "-ttl")
            rows.append(("Oxigraph: kg push Turtle, new graph: count + upload + check", r.triples,
                         time.perf_counter() - t0))
        if find_virtuoso() is None:
            print("no virtuoso-t: Virtuoso rows skipped", file=sys.stderr)
        else:
            with VirtuosoServer(tmp / "virtuoso-db") as vsrv:
                auth = (vsrv.user, vsrv.password)
                for label in ("new graph (POST, Digest)", "replace (DELETE+POST)"):
                    r = push(tmp / "graph.ttl", vsrv.store_url, graph=graph, credentials=auth)
                    rows.append((f"Virtuoso: kg push Turtle, {label}", r.triples, r.seconds))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'operation':<{width}}  {'triples':>10}  {'seconds':>8}  {'triples/s':>12}")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 8}  {'-' * 12}")
    for name, count, seconds in rows:
        print(f"{name:<{width}}  {count:>10,}  {seconds:>8.2f}  {rate(count, seconds)}")
    print_kinds(kinds)
    print(f"\n(Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}; "
          f"files {'kept in ' + str(tmp) if args.keep else 'removed'})")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
