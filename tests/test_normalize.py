"""Canonical keys, stable ids and alias merging."""

from __future__ import annotations

import pytest

from kg.normalize import canonical_key, entity_id, normalise, singular
from kg.types import Mention


@pytest.mark.parametrize("a, b", [
    ("Recurrent Neural Networks", "recurrent neural network"),
    ("pre-training", "pre training"),
    ("the transformer", "Transformers"),
    ("LLMs", "LLM"),
    ("ＢＥＲＴ", "BERT"),  # NFKC folds full-width letters
    ("large-language-models", "Large Language Model"),
    ("an image classifier", "image classifiers"),
])
def test_variants_share_an_id(a, b):
    assert entity_id("method", canonical_key(a)) == entity_id("method", canonical_key(b))


def test_hyphen_and_space_variants_merge_even_when_glued():
    assert entity_id("method", canonical_key("pretraining")) == entity_id("method", canonical_key("pre-training"))


@pytest.mark.parametrize("a, b", [
    ("BERT", "Bert"),            # acronyms keep their case
    ("graph", "graphs network"),
    ("method", "metric"),
])
def test_different_things_stay_apart(a, b):
    assert canonical_key(a) != canonical_key(b)


def test_ids_depend_on_type_and_are_stable():
    assert entity_id("method", "dropout") != entity_id("concept", "dropout")
    assert entity_id("method", "dropout") == entity_id("method", "dropout")
    assert entity_id("method", "dropout").startswith("method-")


@pytest.mark.parametrize("plural, single", [
    ("models", "model"), ("strategies", "strategy"), ("losses", "loss"), ("analyses", "analysis"),
    ("dynamics", "dynamics"), ("bias", "bias"), ("matrices", "matrix"), ("batches", "batch"),
    ("corpora", "corpus"), ("data", "data"),
])
def test_singular(plural, single):
    assert singular(plural) == single


def _m(text, *, type="method", paper="P-1", start=0, long=None):
    return Mention(paper, "abstract", start, start + len(text), text, type, text, 0, long_form=long)


def test_label_is_most_frequent_surface_and_aliases_keep_counts():
    ms = [_m("GANs"), _m("GANs", paper="P-2"), _m("generative adversarial networks", paper="P-3"),
          _m("GANs", paper="P-3", start=40, long="generative adversarial networks")]
    res = normalise(ms)
    assert len(res.entities) == 1
    [e] = res.entities.values()
    assert e.label == "GANs"
    assert dict(e.aliases) == {"GANs": 3, "generative adversarial networks": 1}
    assert e.key == "generative adversarial network"


def test_acronym_merges_with_its_definition_across_papers():
    ms = [_m("piecewise-linear RNNs", paper="P-1"), _m("PLRNNs", paper="P-1", start=30, long="piecewise-linear RNNs"),
          _m("PLRNN", paper="P-2")]  # P-2 uses the acronym without defining it
    res = normalise(ms)
    assert len(set(res.mention_entity.values())) == 1


def test_a_definition_inside_a_name_maps_its_short_forms_to_the_true_long_form():
    """Schwartz-Hearst decides the long form: "LLM" in "large language model (LLM) agents" is
    "large language model", not the shorter "language model" that also starts with an L; and a
    bracket that defines nothing ("GPT (GPT-3) model") joins no names."""
    def entity_of(ms, text):
        res = normalise(ms)
        return res.entities[res.mention_entity[next(m for m in ms if m.text == text)]].key

    ms = [_m("large language model (LLM) agents"), _m("LLM", paper="P-2"), _m("language model", paper="P-3"),
          _m("LLM agents", paper="P-4")]
    assert entity_of(ms, "LLM") == "large language model"
    assert entity_of(ms, "LLM agents") == entity_of(ms, "large language model (LLM) agents") == \
        "large language model agent"
    ms = [_m("GPT (GPT-3) model"), _m("GPT-3", paper="P-2"), _m("GPT", paper="P-3")]
    assert entity_of(ms, "GPT-3") != entity_of(ms, "GPT")


def test_type_is_decided_by_majority():
    ms = [_m("dropout", type="method"), _m("dropout", type="method", paper="P-2"),
          _m("Dropout", type="concept", paper="P-3")]
    [e] = normalise(ms).entities.values()
    assert e.type == "method"


def test_same_input_same_ids_regardless_of_order():
    ms = [_m("dropout"), _m("batch norm", paper="P-2"), _m("Dropout", paper="P-3")]
    assert set(normalise(ms).entities) == set(normalise(list(reversed(ms))).entities)


def test_resolve_ids_lists_each_mention_entity_in_order():
    from kg.normalize import Normalizer
    from kg.types import Mention

    def m(text, start, long=None):
        return Mention("P-1", "abstract", start, start + len(text), text, "method", "s", 0, long_form=long)

    mentions = [m("recurrent neural networks", 0), m("--", 30), m("RNNs", 40, "recurrent neural networks"),
                m("BERT", 50), m("RNN", 60)]
    n = Normalizer()
    n.add(mentions[:2])
    n.add(mentions[2:])
    entities, ids = n.resolve_ids()
    resolved = n.resolve()
    assert ids[1] is None and "--" not in {e.label for e in entities.values()}
    assert ids[0] == ids[2] == ids[4] != ids[3]
    assert resolved.entities == entities
    assert resolved.mention_entity == {x: i for x, i in zip(mentions, ids) if i is not None}
