"""The graph schema, built from hand-made mentions (no spaCy), and the JSON round trip."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.export.json import read_graph, write_graph
from kg.graph import CO_OCCURS, ENTITY, EVALUATED_ON, MENTION, PAPER, USED_FOR, build_graph
from kg.normalize import canonical_key, entity_id
from kg.types import Mention, Paper, RelationMention

from .helpers import S1, S2, foonet_corpus, mention


def test_nodes_and_attributes():
    G = build_graph(foonet_corpus())
    foonet = entity_id("method", canonical_key("FooNet"))
    assert G.nodes["P-1"]["kind"] == PAPER and G.nodes["P-1"]["authors"] == ["A"]
    assert G.nodes[foonet]["kind"] == ENTITY and G.nodes[foonet]["type"] == "method"
    assert G.nodes[foonet]["papers"] == 2 and G.nodes[foonet]["mentions"] == 3
    assert G.nodes[foonet]["label"] == "FooNet"


def test_paper_entity_edges_have_strongest_role_and_all_evidence():
    G = build_graph(foonet_corpus())
    foonet = entity_id("method", canonical_key("FooNet"))
    edge = G.edges["P-1", foonet, MENTION]
    assert edge["role"] == "proposes"
    assert [e["sentence"] for e in edge["evidence"]] == [S1, S2]
    ev = edge["evidence"][1]
    assert G.nodes["P-1"]["abstract"][ev["start"]:ev["end"]] == "FooNet"
    assert G.edges["P-2", foonet, MENTION]["role"] == "mentions"


def test_cooccurrence_weight_counts_papers():
    G = build_graph(foonet_corpus())
    a = entity_id("method", canonical_key("FooNet"))
    b = entity_id("dataset", canonical_key("ImageNet"))
    u, v = sorted([a, b])
    assert G.edges[u, v, CO_OCCURS]["weight"] == 2


def test_relations_with_evidence():
    G = build_graph(foonet_corpus())
    m = entity_id("method", canonical_key("FooNet"))
    t = entity_id("task", canonical_key("image classification"))
    d = entity_id("dataset", canonical_key("ImageNet"))
    assert G.edges[m, t, USED_FOR]["evidence"][0]["sentence"] == S1
    assert G.edges[m, d, EVALUATED_ON]["weight"] == 1


def test_json_round_trip_is_identical(tmp_path):
    G = build_graph(foonet_corpus())
    write_graph(G, tmp_path / "g.json")
    H = read_graph(tmp_path / "g.json")
    assert isinstance(H, nx.MultiDiGraph)
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=repr) == sorted(H.edges(keys=True, data=True), key=repr)
    write_graph(H, tmp_path / "h.json")
    assert (tmp_path / "g.json").read_bytes() == (tmp_path / "h.json").read_bytes()


def test_build_is_deterministic():
    assert nx.utils.graphs_equal(build_graph(foonet_corpus()), build_graph(foonet_corpus()))


def test_graph_keeps_enough_to_rebuild_itself(tmp_path):
    from kg.graph import extractions_from_graph

    G = build_graph(foonet_corpus())
    write_graph(G, tmp_path / "g.json")
    H = build_graph(extractions_from_graph(read_graph(tmp_path / "g.json")))
    write_graph(H, tmp_path / "h.json")
    assert (tmp_path / "g.json").read_bytes() == (tmp_path / "h.json").read_bytes()


def test_learned_relation_evidence_has_no_cue(tmp_path):
    # a learned relation has no cue phrase: its evidence leaves the key out (10 keys, the smaller
    # dict size: some 800k such records at 100k papers), a cue pattern's keeps its cue
    from kg.graph import extractions_from_graph

    p, ms, _ = foonet_corpus()[0]
    rels = [RelationMention("P-1", "used_for", ms[0], ms[1], "", S1, 0.42),
            RelationMention("P-1", "evaluated_on", ms[2], ms[4], "reaches 90% accuracy on", S2)]
    G = build_graph([(p, ms, rels)])
    m = entity_id("method", canonical_key("FooNet"))
    learned = G.edges[m, entity_id("task", canonical_key("image classification")), USED_FOR]["evidence"][0]
    assert "cue" not in learned and len(learned) == 10 and learned["confidence"] == 0.42
    cued = G.edges[m, entity_id("dataset", canonical_key("ImageNet")), EVALUATED_ON]["evidence"][0]
    assert cued["cue"] == "reaches 90% accuracy on"
    write_graph(G, tmp_path / "g.json")
    again = extractions_from_graph(read_graph(tmp_path / "g.json"))
    assert sorted(r.cue for r in again[0][2]) == ["", "reaches 90% accuracy on"]


def test_min_cooccurrence_drops_single_paper_pairs():
    G = build_graph(foonet_corpus(), min_cooccurrence=2)
    pairs = [(u, v, d["weight"]) for u, v, k, d in G.edges(keys=True, data=True) if k == CO_OCCURS]
    assert pairs and all(w >= 2 for _, _, w in pairs)
    all_pairs = [k for _, _, k in build_graph(foonet_corpus()).edges(keys=True) if k == CO_OCCURS]
    assert len(all_pairs) > len(pairs)


@pytest.mark.slow
def test_write_json_is_the_node_link_json_of_the_graph(seed_graph, tmp_path):
    # write_graph streams chunks and formats co-occurrence edges itself: it must still write
    # exactly what json.dumps of NetworkX's node-link data would, also for odd edges and strings
    import json

    from kg.export.json import graph_to_data, write_graph

    G = seed_graph.graph.copy()
    papers = [n for n, k in G.nodes(data="kind") if k == "paper"][:3]
    G.add_edge(papers[0], papers[1], key="co_occurs", kind='q"\\\u2028é', weight=2)  # escapes
    G.add_edge(papers[0], papers[2], key="co_occurs", kind="co_occurs", weight=True)  # a bool, not an int
    G.add_edge(papers[1], papers[2], key="co_occurs", kind="co_occurs", weight=1.5)  # not an int
    G.add_edge(papers[2], papers[0], key="co_occurs", kind="co_occurs", weight=3, note="extra")
    G.add_edge(papers[0], 7, key="co_occurs", kind="co_occurs", weight=4)  # a node id that is not a str
    G.add_edge(8, papers[1], key=1, kind="co_occurs", weight=2)  # neither is this one, nor the key
    write_graph(G, tmp_path / "g.json")
    expected = json.dumps(graph_to_data(G), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    assert (tmp_path / "g.json").read_text(encoding="utf-8") == expected


def test_build_graph_pauses_the_collector_and_restores_it():
    import gc

    assert gc.isenabled()
    build_graph(foonet_corpus())
    assert gc.isenabled()
    gc.disable()
    try:
        build_graph(foonet_corpus())
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_gc_paused_leaves_objects_the_program_froze_frozen():
    import gc

    from kg._gc import gc_paused

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            build_graph(foonet_corpus())
        # kg's promotion trick (freeze + unfreeze) must not unfreeze them: that would leave 0
        # (a few frozen objects may die meanwhile, by reference counting)
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()


def test_evidence_keeps_each_confidence_as_given():
    # evidence records share equal confidences; 1 and 1.0, 0.0 and -0.0 are equal keys but not the same JSON
    p = Paper(id="P-1", title="T", abstract=S1)
    ms = [mention("P-1", "FooNet", S1, "method"), mention("P-1", "image classification", S1, "task")]
    values = [(1.0, 1), (-0.0, 0.0)]
    for first, second in values:
        a = Mention(**{**ms[0].to_dict(), "confidence": first})
        b = Mention(**{**ms[1].to_dict(), "confidence": second})
        G = build_graph([(p, [a, b], [])])
        got = {G.edges[u, v, k]["evidence"][0]["text"]: G.edges[u, v, k]["evidence"][0]["confidence"]
               for u, v, k in G.edges(keys=True) if k == MENTION}
        assert repr(got["FooNet"]) == repr(first) and repr(got["image classification"]) == repr(second)


def test_a_paper_given_twice_is_a_clear_error():
    from kg.errors import InputError

    (p1, m1, r1), _ = foonet_corpus()
    with pytest.raises(InputError, match="given twice"):
        build_graph([(p1, m1, r1), (p1, m1, r1)])


def test_mentions_may_come_as_a_generator():
    expected = build_graph(foonet_corpus())
    G = build_graph((p, (m for m in ms), rs) for p, ms, rs in foonet_corpus())
    assert nx.utils.edges_equal(G.edges(keys=True, data=True), expected.edges(keys=True, data=True))


def test_write_json_of_an_undirected_multigraph(tmp_path):
    import json

    from kg.export.json import graph_to_data

    G = nx.MultiGraph(schema=1)
    G.add_edge("a", "b", key="co_occurs", kind="co_occurs", weight=2)
    G.add_edge("b", "c", key="co_occurs", kind="co_occurs", weight=1)
    write_graph(G, tmp_path / "g.json")
    expected = json.dumps(graph_to_data(G), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    assert (tmp_path / "g.json").read_text(encoding="utf-8") == expected


def test_relations_must_fit_the_entity_types():
    """A relation is kept only between the types the schema gives it (kg.graph.RELATION_ENDS)."""
    from kg.graph import RELATION_ENDS

    paper, ms, _ = foonet_corpus()[0]
    wrong = [RelationMention("P-1", USED_FOR, ms[2], ms[4], "on", S2),        # method -> dataset
             RelationMention("P-1", EVALUATED_ON, ms[1], ms[4], "on", S1)]    # task -> dataset
    G = build_graph([(paper, ms, wrong)])
    assert not [k for *_, k in G.edges(keys=True) if k in RELATION_ENDS]
    G = build_graph(foonet_corpus())
    for u, v, k in G.edges(keys=True):
        if k in RELATION_ENDS:
            assert (G.nodes[u]["type"], G.nodes[v]["type"]) == RELATION_ENDS[k]


@pytest.mark.parametrize("fold_at", [1, 7, 1 << 22])
def test_pair_counter_counts_like_a_counter_however_often_it_folds(fold_at):
    """Folding the buffered pair codes into the sorted arrays (every pair, every fold size) gives
    what counting (a, b) tuples gives, in (a, b) order."""
    import itertools
    import random
    from collections import Counter

    from kg.graph import _PairCounter

    names = [f"e{i:02d}" for i in range(30)]
    rng = random.Random(3)
    papers = [sorted(rng.sample(names, rng.randint(0, 8))) for _ in range(200)]
    expected = Counter(pair for p in papers for pair in itertools.combinations(p, 2))
    counter = _PairCounter(names, fold_at=fold_at)
    for p in papers:
        counter.add(p)
    assert list(counter.items()) == [(a, b, n) for (a, b), n in sorted(expected.items())]
    assert list(counter.items(min_count=3)) == [(a, b, n) for (a, b), n in sorted(expected.items()) if n >= 3]


def test_communities_are_the_same_without_a_writable_temp_folder(monkeypatch):
    """Leiden reads its edges from a temporary file; with none to be had it takes a list, same result."""
    import tempfile

    from kg.communities import detect_communities

    G = build_graph(foonet_corpus())
    expected = detect_communities(G)

    def no_temp(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", no_temp)
    assert detect_communities(G) == expected


@pytest.mark.parametrize("min_cooccurrence", [1, 2])
def test_communities_found_while_building_are_the_ones_found_after(min_cooccurrence):
    """build_graph(communities=True) runs Leiden on the co-occurrence counts before they become
    edges; the graph it gives is the one assign_communities gives afterwards."""
    import json

    from kg.communities import assign_communities
    from kg.export.json import graph_to_data

    corpus = foonet_corpus()
    during = build_graph(corpus, min_cooccurrence=min_cooccurrence, communities=True)
    after = build_graph(corpus, min_cooccurrence=min_cooccurrence)
    assign_communities(after)
    assert "communities" in during.graph
    assert json.dumps(graph_to_data(during), sort_keys=True) == json.dumps(graph_to_data(after), sort_keys=True)
