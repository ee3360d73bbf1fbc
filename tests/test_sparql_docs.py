"""The README's SPARQL: the same text as kg.export.rdf.queries, and the query API's answers on the store."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.export.rdf import graph_to_rdf
from kg.export.rdf.queries import (
    COOCCURRENCE,
    EXAMPLE_ENTITY,
    NEIGHBOURS,
    PAPERS,
    QUERIES,
    RELATED,
    for_entity,
)
from kg.graph import CO_OCCURS, ENTITY, build_graph
from kg.query import KnowledgeGraph
from kg.store import build_store, sparql

from .helpers import corpus, foonet_corpus

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "### Querying kg's RDF with SPARQL"


def _readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(r"```sparql\n(.*?)```", section, flags=re.DOTALL)


def test_readme_queries_are_the_named_queries():
    assert _readme_queries() == [NEIGHBOURS, PAPERS, RELATED, COOCCURRENCE]
    assert list(QUERIES.values()) == [NEIGHBOURS, PAPERS, RELATED, COOCCURRENCE]
    assert all(f'VALUES ?entity {{ "{EXAMPLE_ENTITY}" }}' in q for q in (NEIGHBOURS, PAPERS, RELATED))


def _store(G, tmp_path_factory, name):
    path = tmp_path_factory.mktemp(name) / "store"
    build_store(G, path)
    return KnowledgeGraph(G), path


def _entities(G):
    return sorted(n for n, k in G.nodes(data="kind") if k == ENTITY)


def _check_entity(kg: KnowledgeGraph, store: Path, e: str) -> None:
    """The three documented queries give what KnowledgeGraph.neighbors / papers / related give for *e*."""
    got = [r["id"] for r in sparql(store, for_entity(NEIGHBOURS, e))]
    assert got == sorted(h.id for h in kg.neighbors(e)), e
    got = [(r["id"], r["role"], r["mentions"]) for r in sparql(store, for_entity(PAPERS, e))]
    assert got == [(h.id, h.role, int(h.score)) for h in kg.papers(e)], e
    got = [(r["id"], r["papers"]) for r in sparql(store, for_entity(RELATED, e))]
    assert got == [(h.id, int(h.score)) for h in kg.related(e)], e


@pytest.mark.parametrize("options", [{}, {"min_cooccurrence": 2}, {"cooccurrence": False}],
                         ids=["every-pair", "min-2", "no-cooccurrence"])
@pytest.mark.parametrize("make", [corpus, foonet_corpus])
def test_documented_queries_answer_like_the_query_api(make, options, tmp_path_factory):
    G = build_graph(make(), **options)
    kg, store = _store(G, tmp_path_factory, "docs")
    for e in _entities(G):
        _check_entity(kg, store, e)


def test_cooccurrence_construct_gives_the_graph_s_edges(tmp_path_factory):
    G = build_graph(corpus())
    _, store = _store(G, tmp_path_factory, "construct")
    ids = {str(n): n for n in G}
    ref = graph_to_rdf(G)
    iri_id = {str(s): str(o) for s, o in ref.subject_objects(ref.namespace_manager.expand_curie("kg:id"))}
    triples = sparql(store, COOCCURRENCE)
    pairs = {(iri_id[str(s)], iri_id[str(o)]) for s, p, o in triples if str(p).endswith("#coOccursWith")}
    weights = sorted(int(o) for _, p, o in triples if str(p).endswith("#weight"))
    edges = {(u, v): d["weight"] for u, v, k, d in G.edges(keys=True, data=True) if k == CO_OCCURS}
    assert pairs == set(edges) and all(p[0] in ids for p in pairs)
    assert weights == sorted(edges.values())


def test_queries_print_from_the_command_line():
    run = [sys.executable, "-m", "kg.export.rdf.queries"]
    out = subprocess.run([*run, "related", "task-x"], capture_output=True, text=True, check=True).stdout
    assert out == for_entity(RELATED, "task-x")
    bad = subprocess.run([*run, "nope"], check=False, capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr


@pytest.mark.slow
def test_documented_queries_on_the_seed_store(seed_graph, seed_build):
    """A sample of the seed graph's entities (ImageNet among them), on the store `kg build` filled."""
    store = seed_build[1] / "store"
    entities = _entities(seed_graph.graph)
    sample = sorted({EXAMPLE_ENTITY, *entities[:: max(1, len(entities) // 60)]})
    assert EXAMPLE_ENTITY in entities and len(sample) > 50
    for e in sample:
        _check_entity(seed_graph, store, e)
    # the README's example entity is a hub of the seeds (hundreds of neighbours; the count moves with
    # the model, so it is not pinned here)
    n = len(seed_graph.neighbors(EXAMPLE_ENTITY))
    assert len(sparql(store, NEIGHBOURS)) == n > 100
