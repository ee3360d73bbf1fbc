"""Set-level scores (kg.setlevel) and kg evaluate on SciERC JSON and SciREX gold, shipped model."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import cli
from kg.setlevel import (
    extract_records,
    is_set_gold,
    read_scierc_json,
    read_scirex_abstracts,
    score_records,
)

SCIERC_DOC = {
    "doc_key": "X1",
    "sentences": [["We", "use", "conditional", "random", "fields", "for", "named", "entity",
                   "recognition", "."]],
    "ner": [[[2, 4, "Method"], [6, 8, "Task"]]],
    "relations": [[[2, 4, 6, 8, "USED-FOR"]]],
}


def _scirex_doc():
    words = ["document", ":", "Deep", "Nets", "We", "train", "ResNet", "-", "50", "on", "ImageNet", "and", "report", "top", "-", "1", "accuracy", "for", "image", "classification", ".", "section", ":", "Introduction", "More", "."]
    return {"doc_id": "d1", "words": words, "sections": [[0, 22], [22, len(words)]],
            "sentences": [[0, 4], [4, 22], [22, 25], [25, len(words)]],
            "ner": [[6, 9, "Method"], [10, 11, "Material"], [13, 18, "Metric"], [19, 21, "Task"]],
            "coref": {"ImageNet": [[10, 11]]},
            "n_ary_relations": [{"Material": "ImageNet", "Method": "ResNet", "Metric": "Top-1",
                                 "Task": "Image_Classification", "score": "1"}]}


def test_scierc_json_gold_and_scores(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(SCIERC_DOC) + "\n", encoding="utf-8")
    assert is_set_gold(path) == "scierc"
    (gold,) = read_scierc_json(path)
    assert gold.relations == {("conditionalrandomfield", "namedentityrecognition", "used_for")}
    scores = score_records([gold], extract_records([gold]))
    assert scores["typed"][2] > 0 and "relations" in scores


def test_scirex_gold_has_abstract_and_result_datasets(tmp_path):
    path = tmp_path / "test.jsonl"
    path.write_text(json.dumps(_scirex_doc()) + "\n", encoding="utf-8")
    assert is_set_gold(path) == "scirex"
    (gold,) = read_scirex_abstracts(path, min_words=5)
    assert gold.abstract.startswith("We train ResNet-50 on ImageNet")
    assert ("imagenet", "dataset") in gold.entities and gold.evaluates_on == {"imagenet"}
    scores = score_records([gold], extract_records([gold]))
    assert scores["dataset"][2] == 1.0 and "evaluates_on role" in scores


def test_kg_evaluate_prints_set_level_scores(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(SCIERC_DOC) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["evaluate", str(path), "--json"], catch_exceptions=False)
    scores = json.loads(res.output)
    assert {"typed", "untyped", "relations"} <= scores.keys()


def test_a_name_closing_with_its_acronym_definition_is_its_long_form():
    # kg splits "statistical machine translation (SMT)" into the entity and its alias; SciERC
    # marks the whole: the measure compares the long form, as kg names the entity
    doc = {"doc_key": "X2",
           "sentences": [["Statistical", "machine", "translation", "-LRB-", "SMT", "-RRB-", "uses",
                          "phrase", "tables", "."]],
           "ner": [[[0, 5, "Task"], [7, 8, "Method"]]],
           "relations": [[[7, 8, 0, 5, "USED-FOR"]]]}
    (gold,) = read_scierc_json(None, [doc])
    assert ("statisticalmachinetranslation", "task") in gold.entities
    assert gold.relations == {("phrasetable", "statisticalmachinetranslation", "used_for")}
