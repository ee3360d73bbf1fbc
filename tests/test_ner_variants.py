"""bench/ner_variants.py: the NER recipes of the model card's second table still train and score."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from .helpers import ROOT, tiny_scierc

SCRIPT = ROOT / "bench" / "ner_variants.py"


def _load():
    spec = importlib.util.spec_from_file_location("ner_variants", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    saved = dict(os.environ)  # the script pins BLAS threads for itself
    try:
        spec.loader.exec_module(module)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module


def test_vote_keeps_majority_spans_with_majority_labels():
    vote = _load().vote
    a = [(0, 2, "method"), (4, 5, "task")]
    b = [(0, 2, "task"), (3, 5, "task")]
    c = [(0, 2, "task"), (4, 5, "concept")]
    assert vote([a, b, c]) == [(0, 2, "task"), (4, 5, "task")]  # label tie -> earlier member
    assert vote([a, b, c], min_votes=3) == [(0, 2, "task")]
    # with one vote enough, of overlapping spans the better-voted one wins ...
    assert vote([a, b, c], min_votes=1) == [(0, 2, "task"), (4, 5, "task")]
    # ... and on equal votes the one that starts first, then the shorter
    assert vote([b, [(3, 4, "task")]], min_votes=1) == [(0, 2, "task"), (3, 4, "task")]
    assert vote([[(2, 4, "task")], [(3, 5, "task")]], min_votes=1) == [(2, 4, "task")]


def test_variant_configs_still_match_kg_config():
    module = _load()
    from kg.training import DEFAULT_CONFIG

    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert module._LISTENER in text and module._TRAIN_READER in text


def test_side_by_side_passes_a_finite_difference_gradient_check():
    import numpy as np
    from thinc.api import Linear, noop, with_array

    module = _load()
    model = module.side_by_side(noop(), with_array(Linear(2, 3)), 5)
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(4, 3)).astype("f"), rng.normal(size=(2, 3)).astype("f")]
    model.initialize(X=X)
    Y, backprop = model.begin_update(X)
    assert [y.shape for y in Y] == [(4, 5), (2, 5)]
    dY = [rng.normal(size=y.shape).astype("f") for y in Y]
    dX = backprop(dY)

    def loss(xs):
        return float(sum((y * d).sum() for y, d in zip(model.predict(xs), dY)))

    for k, x in enumerate(X):
        for i, j in np.ndindex(*x.shape):
            up, down = [a.copy() for a in X], [a.copy() for a in X]
            up[k][i, j] += 1e-2
            down[k][i, j] -= 1e-2
            assert abs((loss(up) - loss(down)) / 2e-2 - dX[k][i, j]) < 1e-2


def test_mention_replace_swaps_same_type_mentions_and_keeps_the_rest():
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    module = _load()
    mention_pool, mention_replace_augmenter = module.mention_pool, module.mention_replace_augmenter
    nlp = spacy.blank("en")
    doc = Doc(nlp.vocab, words=["This", "approach", "applies", "CRFs", "to", "parsing", "."],
              spaces=[1, 1, 1, 1, 1, 0, 0],
              ents=["O", "B-generic", "O", "B-method", "O", "B-task", "O"])
    other = Doc(nlp.vocab, words=["hidden", "Markov", "models", "for", "machine", "translation"],
                ents=["B-method", "I-method", "I-method", "O", "B-task", "I-task"])
    pool = mention_pool([doc, other])
    assert "generic" not in pool and len(pool["method"]) == 2 and len(pool["task"]) == 2
    seen = set()
    for seed in range(20):
        out = list(mention_replace_augmenter(pool, level=1.0, seed=seed)(nlp, Example(doc, doc)))
        assert out[0].reference is doc
        for ex in out[1:]:
            ref = ex.reference
            assert ref.text != doc.text and ref.text.startswith("This approach applies ")
            assert [e.label_ for e in ref.ents] == ["generic", "method", "task"]
            assert ref.ents[0].text == "approach"  # Generic is never swapped
            assert ex.predicted.text == ref.text
            seen.add(ref.text)
    assert "This approach applies hidden Markov models to machine translation." in seen
    # the same seed gives the same copies; level 0 gives none
    run = [ex.reference.text for ex in mention_replace_augmenter(pool, level=1.0, seed=3)(
        nlp, Example(doc, doc))]
    assert run == [ex.reference.text for ex in mention_replace_augmenter(pool, level=1.0, seed=3)(
        nlp, Example(doc, doc))]
    assert len(list(mention_replace_augmenter(pool, level=0.0)(nlp, Example(doc, doc)))) == 1


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["untyped", "mentions", "half"])
def test_variant_trains_and_scores_on_a_tiny_corpus(tmp_path, variant):
    data = tiny_scierc(tmp_path)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(SCRIPT), "train", variant, "--max-steps", "4",
                          "--holdout", "1", "--output", str(out), "--data", str(data)],
                         check=False, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    n_train = 2 if variant == "half" else 5
    assert f"{n_train} training abstracts" in run.stdout and "dev_post_summary" in run.stdout
    model = out / "pipeline" / "model-best"
    labels = json.loads((model / "meta.json").read_text(encoding="utf-8"))["labels"]["ner"]
    assert (labels == ["entity", "generic"]) == (variant == "untyped"), labels
    augmenter = "kg_bench.mention_replace.v1" in (out / "pipeline" / "model-best" / "config.cfg"
                                                    ).read_text(encoding="utf-8")
    assert augmenter == (variant == "mentions")
    model = str(model)
    command = ["spans", model, model] if variant == "untyped" else ["vote", model, model, model]
    run = subprocess.run([sys.executable, str(SCRIPT), *command, "--holdout", "1", "--data", str(data)],
                         check=False, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "hold-out" in run.stdout and "dev" in run.stdout
