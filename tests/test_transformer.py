"""The shipped MiniLM NER component (kg_transformer_ner) with its real ONNX weights."""

from __future__ import annotations

import itertools
import json
import shutil

import numpy as np
import pytest
import spacy

from kg.errors import ModelError
from kg.extract.pipeline import DEFAULT_MODEL
from kg.extract.transformer import MAX_PIECES, TransformerNER, decode_spans, viterbi

from .helpers import require


@pytest.fixture(scope="module")
def nlp():
    require((DEFAULT_MODEL / "kg_transformer_ner" / "model.onnx").is_file(),
            "the shipped model is not the MiniLM NER")
    return spacy.load(DEFAULT_MODEL)


SENTENCE = ("We fine-tune BERT with a conditional random field for named entity recognition and "
            "report F1 on CoNLL-2003. ")


def test_labels_and_tensor(nlp):
    ner = nlp.get_pipe("kg_transformer_ner")
    assert set(ner.labels) == {"method", "dataset", "task", "metric", "concept", "generic"}
    doc = nlp(SENTENCE)
    assert doc.tensor.shape == (len(doc), 384)
    assert {e.label_ for e in doc.ents} <= set(ner.labels)
    assert "BERT" in [e.text for e in doc.ents]


def test_a_document_longer_than_the_encoder_is_cut_at_a_full_stop(nlp):
    ner = nlp.get_pipe("kg_transformer_ner")
    text = SENTENCE * 30
    doc = nlp.make_doc(text)
    assert ner._pieces([t.text for t in doc]) > MAX_PIECES  # would not fit in one call
    doc = nlp(text)
    assert doc.tensor.shape[0] == len(doc)
    assert not np.allclose(doc.tensor[-5:], 0)  # the second part was encoded too
    berts = [e for e in doc.ents if e.text == "BERT"]
    # the same sentence gives the same entities in each part
    assert len(berts) == 30, [e.text for e in doc.ents][:20]


def test_white_space_tokens_never_edge_an_entity(nlp):
    doc = nlp("We evaluate   ResNet-50 \n\n on ImageNet.\n")
    assert doc.ents, "expected entities"
    for e in doc.ents:
        assert not doc[e.start].is_space and not doc[e.end - 1].is_space
    assert nlp("").ents == () and nlp("   ").ents == ()


def test_split_votes_give_one_span_of_the_likeliest_type():
    tags = ["O", "B-concept", "I-concept", "B-dataset", "I-dataset"]
    probs = np.array([[0.1, 0.5, 0, 0.4, 0],     # B-concept
                      [0.1, 0, 0.2, 0, 0.7],     # I-dataset
                      [0.1, 0, 0.5, 0, 0.4],     # I-concept
                      [0.9, 0, 0, 0, 0.1]])      # O
    assert decode_spans(probs, tags) == [(0, 3, "dataset")]  # dataset 1.5 > concept 1.2


def test_one_unsure_word_does_not_cut_a_span_in_two():
    # Each word's likeliest tag reads B-method, O, I-method: two one-word spans. The likeliest
    # valid sequence is B-method I-method I-method (0.9 * 0.45 * 0.9 against 0.9 * 0.5 * 0.1).
    tags = ["O", "B-method", "I-method"]
    probs = np.array([[0.1, 0.9, 0.0], [0.5, 0.05, 0.45], [0.1, 0.0, 0.9]])
    assert decode_spans(probs, tags) == [(0, 3, "method")]


def test_an_inside_tag_after_o_needs_its_own_evidence():
    # A weak I-task after an O is no span: I- cannot follow O, and B-task has no probability.
    tags = ["O", "B-task", "I-task"]
    probs = np.array([[0.9, 0.05, 0.05], [0.45, 0.0, 0.55]])
    assert decode_spans(probs, tags) == []


def test_a_word_voting_for_another_type_ends_the_span_when_o_is_likelier_over_the_sequence():
    # Word 1 votes I-dataset after B-concept: I-concept has no probability there, so the valid
    # sequences are B-concept O O (0.9 * 0.1 * 0.1) or B-concept B-dataset I-dataset (0.9 * 0 ...):
    # the span ends after word 0, where the untyped decoder kept one three-word span.
    tags = ["O", "B-concept", "I-concept", "B-dataset", "I-dataset"]
    # (Without the growth step, which would take the two words in again: see below.)
    probs = np.array([[0.1, 0.9, 0, 0, 0], [0.1, 0, 0, 0, 0.9], [0.1, 0, 0.9, 0, 0]])
    assert decode_spans(probs, tags, grow=None) == [(0, 1, "concept")]


def test_a_span_does_not_end_on_its_modifier_when_the_head_is_likely_inside():
    # "raw text": raw B-dataset, text O 0.54 against I-dataset 0.32 and I-concept 0.07. The
    # sequence ends the span on "raw", but "text" is inside some entity with 0.39 >= GROW.
    tags = ["O", "B-concept", "I-concept", "B-dataset", "I-dataset"]
    probs = np.array([[0.39, 0.09, 0, 0.44, 0.08],
                      [0.54, 0, 0.07, 0.07, 0.32],
                      [0.9, 0, 0.05, 0, 0.05]])       # "." stays out
    assert decode_spans(probs, tags, grow=None) == [(0, 1, "dataset")]
    assert decode_spans(probs, tags) == [(0, 2, "dataset")]
    # growth stops at the next span: two entities side by side stay two
    probs = np.array([[0.1, 0.8, 0, 0.1, 0], [0.1, 0, 0.35, 0.55, 0], [0.1, 0, 0, 0, 0.9]])
    assert decode_spans(probs, tags) == [(0, 1, "concept"), (1, 3, "dataset")]


def test_the_span_type_is_the_summed_one_not_the_path_one():
    # The likeliest path is B-method then three I-method (0.9 * 0.3^3 against 0.05 * 0.65^3 for
    # dataset), but dataset has more probability summed over the four words (2.0 against 1.8).
    tags = ["O", "B-method", "I-method", "B-dataset", "I-dataset"]
    probs = np.array([[0.05, 0.9, 0, 0.05, 0]] + [[0.05, 0, 0.3, 0, 0.65]] * 3)
    assert viterbi(probs, tags) == [1, 2, 2, 2]
    assert decode_spans(probs, tags) == [(0, 4, "dataset")]


def test_viterbi_takes_nan_as_zero_and_keeps_the_sequence_valid():
    tags = ["I-m", "B-m", "O"]
    probs = np.array([[0, 0.9, 0.1], [0.1, 0.2, np.nan], [0.9, 0.05, 0.05]])
    path = viterbi(probs, tags)
    assert path[0] != 0 and all(not (tags[b] == "I-m" and tags[a] == "O") for a, b in itertools.pairwise(path))


def test_a_missing_model_file_is_a_model_error(tmp_path):
    require((DEFAULT_MODEL / "kg_transformer_ner" / "model.onnx").is_file(),
            "the shipped model is not the MiniLM NER")
    folder = tmp_path / "ner"
    shutil.copytree(DEFAULT_MODEL / "kg_transformer_ner", folder)
    (folder / "model.onnx").unlink()
    with pytest.raises(ModelError, match="model.onnx is missing"):
        TransformerNER(spacy.blank("en")).from_disk(folder)
    cfg = json.loads((DEFAULT_MODEL / "kg_transformer_ner" / "cfg.json").read_text())
    assert cfg["labels"][0] == "O"


def test_a_word_longer_than_the_encoder_is_truncated_not_an_error(nlp):
    """One spaCy token can hold more than 510 word pieces (a formula, an unspaced CJK text)."""
    ner = nlp.get_pipe("kg_transformer_ner")
    for word in ["H" + "(CH2)" * 150, "深度学习模型在图像识别任务上表现优异" * 35]:
        text = f"We train BERT on {word} and report F1."
        doc = nlp.make_doc(text)
        assert max(ner._pieces([t.text]) for t in doc) > MAX_PIECES
        doc = nlp(text)
        assert doc.tensor.shape == (len(doc), 384)
        assert "BERT" in [e.text for e in doc.ents]


def test_saving_needs_a_loaded_model(nlp, tmp_path):
    with pytest.raises(ModelError, match="no model to save"):
        TransformerNER(spacy.blank("en")).to_disk(tmp_path / "empty")
    nlp.to_disk(tmp_path / "copy")  # copies the loaded files
    again = spacy.load(tmp_path / "copy")
    text = "We fine-tune BERT on SQuAD."
    assert [(e.text, e.label_) for e in again(text).ents] == [(e.text, e.label_) for e in nlp(text).ents]


@pytest.mark.training_extra
def test_the_shipped_hidden_output_is_the_layer_relations_read():
    """``doc.tensor`` (the relation classifier's dense features) holds the states of the layer
    ``kg train`` exports (RELATION_LAYER), not the last one the NER head reads."""
    import importlib.util

    from tests.helpers import require

    require(importlib.util.find_spec("onnx") is not None,
            "onnx is missing: pip install -e '.[train-transformer]'")
    import onnx

    from kg.training.transformer import RELATION_LAYER, layer_outputs

    graph = onnx.load(str(DEFAULT_MODEL / "kg_transformer_ner" / "model.onnx")).graph
    ends = {k: v for k, v in layer_outputs(graph).items() if k}  # encoder layer (from 1) -> output
    assert sorted(ends) == [1, 2, 3] and ends[RELATION_LAYER] == "hidden"
    # the tag head still reads the last layer
    head_inputs = {i for n in graph.node if n.name.startswith("/classifier/") for i in n.input}
    assert any(i.startswith(ends[3]) for i in head_inputs)
