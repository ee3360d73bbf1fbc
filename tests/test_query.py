"""The query API on a small hand-made graph, and on the real seed build."""

from __future__ import annotations

import itertools

import pytest

import kg
from kg.errors import ArgumentError, InputError, KGError, NotFoundError
from kg.export.json import write_graph
from kg.graph import build_graph
from kg.normalize import canonical_key, entity_id
from kg.query import KnowledgeGraph

from .helpers import foonet_corpus, top_entity

FOONET = entity_id("method", canonical_key("FooNet"))
IMAGENET = entity_id("dataset", canonical_key("ImageNet"))


@pytest.fixture()
def g(tmp_path):
    write_graph(build_graph(foonet_corpus()), tmp_path / "graph.json")
    return kg.load(tmp_path)


def test_load_from_folder_or_file(g, tmp_path):
    assert isinstance(g, KnowledgeGraph)
    assert kg.load(tmp_path / "graph.json").graph.number_of_nodes() == g.graph.number_of_nodes()
    with pytest.raises(InputError, match="kg build") as info:
        kg.load(tmp_path / "missing")
    assert info.value.exit_code == 2


@pytest.mark.parametrize("name", ["FooNet", "foonet", FOONET, "FooNets"])
def test_names_resolve_leniently(g, name):
    assert g.resolve(name) == FOONET


def test_paper_title_resolves(g):
    assert g.resolve("Other", kind="paper") == "P-2"


def test_neighbors_with_type_and_hops(g):
    direct = g.neighbors("FooNet")
    ids = [h.id for h in direct]
    assert "P-1" in ids and "P-2" in ids and IMAGENET in ids
    assert all(h.hops == 1 for h in direct)
    assert [h.id for h in g.neighbors("FooNet", type="dataset")] == [IMAGENET]
    assert [h.kind for h in g.neighbors("FooNet", type="paper")] == ["paper", "paper"]
    two = g.neighbors("image classification", hops=2)
    assert {h.hops for h in two} == {1, 2}
    assert "P-2" in [h.id for h in two if h.hops == 2]


def test_papers_proposers_first(g):
    hits = g.papers("FooNet")
    assert [h.id for h in hits] == ["P-1", "P-2"]
    assert hits[0].role == "proposes"


def test_entities_of_a_paper(g):
    hits = g.entities("P-1", type="dataset")
    assert [(h.label, h.role) for h in hits] == [("ImageNet", "evaluates_on")]


def test_evidence(g):
    ev = g.evidence("P-1", "ImageNet")
    assert ev and ev[0]["sentence"].endswith("on ImageNet.")
    with pytest.raises(NotFoundError, match="does not mention"):
        g.evidence("P-2", "image classification")


def test_related_by_cooccurrence(g):
    top = g.related("FooNet", top=1)
    assert [h.id for h in top] == [IMAGENET] and top[0].score == 2


def test_find_is_fuzzy(g):
    assert g.find("imagenett")[0].id == IMAGENET


def test_unknown_name_suggests_close_labels(g):
    with pytest.raises(NotFoundError) as info:
        g.neighbors("ImagNet")
    assert "ImageNet" in str(info.value)
    assert isinstance(info.value, KGError)


def test_bad_arguments(g):
    with pytest.raises(ArgumentError, match="unknown type"):
        g.neighbors("FooNet", type="widget")
    with pytest.raises(ArgumentError, match="hops"):
        g.neighbors("FooNet", hops=0)


@pytest.mark.parametrize("call", [
    lambda g: g.related("FooNet", top=-3),
    lambda g: g.related("FooNet", top=True),
    lambda g: g.neighbors("FooNet", hops="2"),
    lambda g: g.neighbors("FooNet", limit=0),
    lambda g: g.papers(None),
    lambda g: g.entities(3),
    lambda g: g.find("foo", kind="nonsense"),
    lambda g: g.find("foo", type="nonsense"),
    lambda g: g.find(None),
    lambda g: g.find("foo", limit=-1),
    lambda g: g.view("FooNet", hops="1"),
])
def test_api_validates_like_the_cli(g, call):
    with pytest.raises(ArgumentError) as info:
        call(g)
    assert info.value.exit_code == 2 and isinstance(info.value, ValueError)


def test_find_filters_by_type(g):
    assert g.find("imagenet", type="dataset")[0].id == IMAGENET
    assert all(h.type == "method" for h in g.find("imagenet", type="method"))
    assert all(h.kind == "paper" for h in g.find("a", kind="paper"))


@pytest.mark.slow
def test_neighbors_limit_ranks_by_strength(seed_graph):
    name = top_entity(seed_graph.graph)
    hits = seed_graph.neighbors(name, limit=10)
    assert len(hits) == 10
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert seed_graph.neighbors(name)[:10] == hits


@pytest.mark.slow
def test_related_ties_go_to_the_entity_in_more_papers(seed_graph):
    hits = seed_graph.related("diffusion model", top=20)
    G = seed_graph.graph
    for a, b in itertools.pairwise(hits):
        assert (a.score, G.nodes[a.id]["papers"]) >= (b.score, G.nodes[b.id]["papers"])


@pytest.mark.slow
def test_communities_of_the_seeds(seed_graph):
    import networkx as nx

    from kg.communities import community_graph

    cs = seed_graph.communities()
    G = seed_graph.graph
    entities = [n for n, d in G.nodes(data=True) if d["kind"] == "entity"]
    assert all(isinstance(G.nodes[n]["community"], int) for n in entities)
    assert sorted(e for c in cs for e in c.entities) == sorted(entities)
    assert [c.id for c in cs] == list(range(len(cs)))
    assert sum(1 for c in cs if c.size >= 10) >= 8
    parts = [set(c.entities) for c in cs]
    assert nx.community.modularity(community_graph(G), parts, weight="weight") >= 0.3
    big = cs[0]
    assert big.label and big.papers and set(big.papers) <= {n for n, d in G.nodes(data=True) if d["kind"] == "paper"}
    assert G.graph["communities"][0]["label"] == big.label


@pytest.mark.slow
def test_seed_graph_answers(seed_graph):
    name = top_entity(seed_graph.graph)
    hits = seed_graph.neighbors(name)
    papers = seed_graph.papers(name)
    assert len(papers) >= 5
    assert {h.id for h in papers} <= {h.id for h in hits}
    for h in papers[:3]:
        ev = seed_graph.evidence(h.id, name)
        assert ev and all(e["sentence"] for e in ev)


def test_neighbours_step_over_co_occurrence_but_views_do_not(g):
    """One search (kg.neighbourhood), two edge rules: the API follows co_occurs, a view does not."""
    from kg.export.html import ego_graph
    from kg.graph import CO_OCCURS
    from kg.neighbourhood import hop_distances

    accuracy = entity_id("metric", canonical_key("accuracy"))
    assert accuracy in [h.id for h in g.neighbors("FooNet")]
    assert accuracy not in ego_graph(g.graph, FOONET, hops=1)
    assert hop_distances(g.graph, FOONET, 2, skip=(CO_OCCURS,))[accuracy] == 2
    assert set(hop_distances(g.graph, FOONET, 1, skip=(CO_OCCURS,))) == set(ego_graph(g.graph, FOONET, hops=1))
    with pytest.raises(ArgumentError):
        hop_distances(g.graph, FOONET, -1)
    with pytest.raises(NotFoundError):
        hop_distances(g.graph, "method-nope", 1)
