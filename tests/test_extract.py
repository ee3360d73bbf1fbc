"""Extraction with the real shipped pipeline on a few hand-checked sentences.

The sentences are written for these tests (general patterns, not seed abstracts).
"""

from __future__ import annotations

import pytest

from kg.extract import extract_papers, load_pipeline
from kg.normalize import normalise
from kg.read import read_papers
from kg.types import ENTITY_TYPES, Paper

from .helpers import SEEDS


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def run(nlp, abstract, title="A study"):
    [result] = extract_papers([Paper(id="P-t", title=title, abstract=abstract)], nlp=nlp)
    return result


def by_text(result):
    return {m.text: m for m in result.mentions}


def test_shipped_model_is_the_default(nlp):
    from kg.extract.pipeline import DEFAULT_MODEL

    assert (DEFAULT_MODEL / "config.cfg").exists(), "kg ships its NER model in kg/models/scierc"
    assert "kg_transformer_ner" in nlp.pipe_names
    assert nlp.pipe_names[-2:] == ["kg_rules", "kg_relations"]


def test_offsets_and_sentences_are_exact(nlp):
    abstract = ("Training convolutional neural networks (CNNs) is costly.We propose SparseProp, a novel "
                "pruning method for image classification. Experiments on the CIFAR-10 dataset show a 2x speed-up.")
    r = run(nlp, abstract)
    assert r.mentions
    for m in r.mentions:
        text = abstract if m.field == "abstract" else r.paper.title
        assert text[m.start:m.end] == m.text
        assert text[m.sent_start:m.sent_start + len(m.sentence)] == m.sentence
        assert m.sentence.find(m.text) >= 0
        assert m.type in ENTITY_TYPES and 0.0 <= m.confidence <= 1.0
        assert m.source in {"model", "rule", "acronym"}
    sentences = {m.sentence for m in r.mentions}
    assert not any("costly.We" in s for s in sentences), "glued sentences are split"


def test_a_latex_dash_is_no_part_of_a_word(nlp):
    # "curve---" is one token to spaCy's English rules; the dash would end up in the name
    doc = nlp("We model the learning curve--- a power law in compute.")
    assert "curve" in [t.text for t in doc] and "---" in [t.text for t in doc]
    assert not any("-" in e.text for e in doc.ents), [e.text for e in doc.ents]


def test_a_definition_glued_to_its_long_form_is_read(nlp):
    # "Models(LLMs)" and LaTeX's "models~(DMs)" were one token each: the long form's span took the
    # whole token ("Large Language Models(LLMs"); maths such as "O(N)" or "f(x)" stays as it was
    doc = nlp("We study Large Language Models(LLMs) and Diffusion models~(DMs) at O(N) cost with f(x).")
    words = [t.text for t in doc]
    assert words[4:8] == ["Models", "(", "LLMs", ")"] and words[10:15] == ["models", "~", "(", "DMs", ")"]
    assert "O(N" in words and "f(x" in words
    texts = {e.text for e in doc.ents}
    assert not any("(" in t for t in texts), texts
    assert {"LLMs", "DMs"} <= texts
    assert not any(t.endswith("~") for t in texts), texts


def test_cue_phrases_give_roles(nlp):
    r = run(nlp, "We propose SparseProp, a novel pruning method. Experiments on the CIFAR-10 dataset "
                 "show a 2x speed-up.")
    ms = by_text(r)
    assert ms["SparseProp"].role == "proposes"
    assert ms["CIFAR-10"].role == "evaluates_on"
    assert ms["CIFAR-10"].type == "dataset"


def test_acronym_definition_merges_both_forms(nlp):
    r = run(nlp, "We study graph neural networks (GNNs) for molecule property prediction. "
                 "GNNs are hard to train at depth.")
    ms = [m for m in r.mentions if m.text in {"graph neural networks", "GNNs"}]
    assert {m.text for m in ms} == {"graph neural networks", "GNNs"}
    assert sum(1 for m in ms if m.text == "GNNs") == 2
    resolved = normalise(r.mentions)
    assert len({resolved.mention_entity[m] for m in ms}) == 1


def test_a_definition_inside_a_name_keeps_the_name_whole(nlp):
    """ "Kullback-Leibler (KL) divergence" is one name: splitting the definition out of it lost
    "divergence"; it merges with "KL divergence" and "Kullback-Leibler divergence"."""
    r = run(nlp, "We minimise the Kullback-Leibler (KL) divergence between the two distributions. "
                 "The KL divergence is small. The Kullback-Leibler divergence is smaller.")
    texts = [m.text for m in r.mentions]
    assert "Kullback-Leibler (KL) divergence" in texts and "Kullback-Leibler" not in texts
    resolved = normalise(r.mentions)
    ms = [m for m in r.mentions if m.text.endswith("divergence")]
    assert len(ms) == 3 and len({resolved.mention_entity[m] for m in ms}) == 1
    entity = resolved.entities[resolved.mention_entity[ms[0]]]
    assert entity.key == "kullback leibler divergence"


def test_generic_phrases_are_dropped(nlp):
    r = run(nlp, "In this paper, our approach outperforms the state of the art on the CIFAR-10 dataset. "
                 "Our results and experiments confirm that the proposed method works.")
    texts = {m.text.lower() for m in r.mentions}
    assert "cifar-10" in texts, "the specific name next to the generic phrases is kept"
    for generic in ("our approach", "approach", "the state of the art", "state of the art", "our results",
                    "experiments", "the proposed method", "this paper"):
        assert generic not in texts


def test_title_is_a_field_too(nlp):
    r = run(nlp, "We train transformers on text.", title="Scaling Transformers with Mixture-of-Experts (MoE)")
    assert any(m.field == "title" for m in r.mentions)


def test_model_finds_scientific_entities(nlp):
    r = run(nlp, "We fine-tune BERT for named entity recognition and report F1 on the CoNLL-2003 dataset.")
    types = {m.text: m.type for m in r.mentions}
    assert types.get("BERT") == "method"
    assert types.get("named entity recognition") == "task"
    assert types.get("CoNLL-2003") == "dataset"


def test_order_and_count_preserved_over_seeds(nlp):
    papers = read_papers([SEEDS])[:40]
    results = list(extract_papers(papers, nlp=nlp, batch_size=7))
    assert [r.paper.id for r in results] == [p.id for p in papers]
    assert sum(len(r.mentions) for r in results) > 40 * 3


def test_unknown_model_is_a_clear_error():
    from kg.errors import ModelError

    with pytest.raises(ModelError, match="cannot load spaCy pipeline"):
        load_pipeline("no_such_pipeline_xyz")
