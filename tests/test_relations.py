"""Learned relations with the shipped pipeline: component, kg extract's contract, graph edges."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.extract import extract_papers, load_pipeline
from kg.extract.relations import CLASSES, LEARNED_RELATIONS, pair_features, scierc_examples
from kg.graph import RELATION_KEYS, build_graph
from kg.types import Paper

TEXT = ("We use conditional random fields for named entity recognition. "
        "Support vector machines and decision trees are compared.")


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def test_component_finds_typed_relations(nlp):
    assert nlp.pipe_names[-1] == "kg_relations"
    found = nlp(TEXT)._.kg_relations
    assert found and all(t in LEARNED_RELATIONS and 0 < c <= 1 for *_, t, c in found)
    spans = {(a, b) for a, b, *_ in found} | {(c, d) for _, _, c, d, *_ in found}
    assert spans <= {(e.start_char, e.end_char) for e in nlp(TEXT).ents}


def test_kg_extract_relations_contract(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"title": "CRFs for NER", "abstract": TEXT}) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["extract", "-q", str(path)], catch_exceptions=False)
    rec = json.loads(res.output.splitlines()[0])
    assert rec["relations"], rec
    for r in rec["relations"]:
        assert set(r) == {"head", "tail", "type", "confidence"}
        assert 0 <= r["head"] < len(rec["entities"]) and 0 <= r["tail"] < len(rec["entities"])
        assert r["type"] in LEARNED_RELATIONS


def test_relations_become_graph_edges():
    paper = Paper(id="P-1", title="CRFs for NER", abstract=TEXT)
    G = build_graph(extract_papers([paper]))
    edges = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if k in RELATION_KEYS]
    assert edges
    for _u, _v, _k, d in edges:
        assert d["weight"] == 1 and d["evidence"][0]["sentence"] and 0 < d["evidence"][0]["confidence"] <= 1


def test_scierc_examples_turn_evaluate_for_round():
    doc = {"sentences": [["BLEU", "evaluates", "MT", "systems", "."]],
           "ner": [[[0, 0, "Metric"], [2, 3, "Method"]]],
           "relations": [[[0, 0, 2, 3, "EVALUATE-FOR"]]]}
    _, labels = scierc_examples([doc], {"Metric": "metric", "Method": "method"})
    assert [CLASSES[y] for y in labels] == ["evaluated_on<"]
    assert "b=evaluates" in pair_features(["bleu", "evaluates", "mt", "systems"], (0, 1, "metric"),
                                          (2, 4, "method"))


def test_dense_weights_change_scores_and_survive_save(tmp_path):
    import numpy as np

    from kg.extract.relations import RelationModel, pair_dense, train_relations

    words = ["crfs", "for", "ner"]
    a, b = (0, 1, "method"), (2, 3, "task")
    rows = [[1, 2], [3, 4]]
    vecs = np.stack([pair_dense(np.eye(3, 4, dtype=np.float32), a, b),
                     pair_dense(-np.eye(3, 4, dtype=np.float32), a, b)])
    used_for = CLASSES.index("used_for>")
    model = train_relations(rows, [used_for, 0], epochs=30, dense=vecs)
    assert model.dense is not None and model.dense.shape == (vecs.shape[1], len(CLASSES))
    model.save(tmp_path / "m.npz")
    loaded = RelationModel.load(tmp_path / "m.npz")
    assert loaded.dense is not None
    p_with = loaded.probabilities([[1, 2]], vecs[:1])
    p_without = loaded.probabilities([[1, 2]])
    assert not np.allclose(p_with, p_without)
    # vectors are optional at prediction time: a model without dense weights ignores them
    lexical = RelationModel(loaded.weights, loaded.threshold)
    assert lexical.predict(words, [a, b], np.ones((3, 4), dtype=np.float32)) == lexical.predict(words, [a, b])


def _always(label: str):
    """A RelationModel whose every pair scores *label* likeliest and, after it, used_for."""
    import numpy as np

    from kg.extract.relations import RelationModel

    weights = np.zeros((1 << 16, len(CLASSES)), dtype=np.float32)
    weights[:, CLASSES.index(label)] = 0.02  # every hashed feature votes for it ...
    weights[:, CLASSES.index("used_for>")] = 0.01  # ... and a little less for used_for
    return RelationModel(weights, threshold=0.0)


def test_conjunction_links_only_neighbours_in_a_list():
    # SciERC links "A, B and C" as A-B and B-C, never A-C; a pair with an entity between
    # them takes its next likeliest relation instead.
    words = ["svms", ",", "crfs", "and", "hmms"]
    ents = [(0, 1, "method"), (2, 3, "method"), (4, 5, "method")]
    found = _always("conjunction>").predict(words, ents)
    conj = {(h, t) for h, t, name, _ in found if name == "conjunction"}
    assert conj == {(0, 1), (1, 2)}
    assert [(h, t, name) for h, t, name, _ in found if (h, t) not in conj] == [(0, 2, "used_for")]


def test_a_relation_spreads_to_the_conjuncts_of_its_head():
    from kg.extract.relations import spread_over_conjunctions

    found = [(0, 1, "conjunction", 0.9), (1, 2, "conjunction", 0.7), (2, 3, "used_for", 0.8),
             (3, 4, "evaluated_on", 0.6)]
    out = spread_over_conjunctions(found)
    assert set(found) <= set(out)
    # 0 and 1 are listed with 2, so they are used for 3 too, as sure as the weakest link
    assert {(h, t, n, c) for h, t, n, c in out if (h, t, n, c) not in found} == {
        (0, 3, "used_for", 0.7), (1, 3, "used_for", 0.7)}
    # a pair that has a relation keeps it, and lists do not link to themselves
    assert spread_over_conjunctions([(0, 1, "conjunction", 0.9), (0, 2, "used_for", 0.8),
                                     (1, 2, "part_of", 0.5)]) == [
        (0, 1, "conjunction", 0.9), (0, 2, "used_for", 0.8), (1, 2, "part_of", 0.5)]
    assert spread_over_conjunctions([(0, 2, "used_for", 0.5)]) == [(0, 2, "used_for", 0.5)]


def test_spreading_prefers_the_surer_relation_and_reads_symmetric_types_both_ways():
    from kg.extract.relations import spread_over_conjunctions

    # 1 and 2 are listed together; 3 is part of 1 (0.3) and 2 is used for 3 (0.9): 1 gets used_for
    out = spread_over_conjunctions([(1, 2, "conjunction", 0.95), (1, 3, "part_of", 0.3),
                                    (2, 3, "used_for", 0.9)])
    assert out == [(1, 2, "conjunction", 0.95), (1, 3, "part_of", 0.3), (2, 3, "used_for", 0.9)]
    out = spread_over_conjunctions([(0, 1, "conjunction", 0.95), (0, 3, "part_of", 0.3),
                                    (1, 2, "conjunction", 0.9), (2, 3, "used_for", 0.8)])
    assert (1, 3, "used_for", 0.8) in out and (1, 3, "part_of", 0.3) not in out
    # "X is compared with A and B": the list is the tail's, and the copy keeps text order
    out = spread_over_conjunctions([(0, 1, "compared_with", 0.7), (1, 2, "conjunction", 0.9)])
    assert (0, 2, "compared_with", 0.7) in out
    out = spread_over_conjunctions([(0, 1, "conjunction", 0.9), (1, 2, "compared_with", 0.7)])
    assert (0, 2, "compared_with", 0.7) in out
    # a relation whose tail is listed does not spread (SciERC's lists are read from the head)
    assert spread_over_conjunctions([(0, 1, "used_for", 0.7), (1, 2, "conjunction", 0.9)]) == [
        (0, 1, "used_for", 0.7), (1, 2, "conjunction", 0.9)]
