"""Relation classifier variants on SciERC: typed set-level F1 on an inner split and on the hold-out.

    python bench/relations.py [--model PATH] [--split inner,holdout]

Reproduces the model card's table of relation choices. The NER pipeline (default: the shipped
one) stays fixed; for each variant the ``kg_relations`` classifier is refitted and ``kg extract``'s
records are scored with :mod:`kg.setlevel`, as ``bench/extraction.py`` does:

- **inner**: fit on 220 of the 280 SciERC training abstracts that ``kg train`` trains on, score on
  the other 60 (drawn with seed 1). The NER saw these abstracts, so scores run high; this split
  is for choosing, and the relation hold-out stays untouched by it.
- **holdout**: fit on the 280, score on the 35 held-out abstracts (split seed 0), which the
  shipped classifier is; use it once, to confirm a choice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCIERC = Path(os.environ.get("KG_SCIERC_DIR", "/work/shared/data/scierc"))

#: (name, dense features, Adagrad rate, threshold, seeds averaged)
VARIANTS = [
    ("lexical, rate 0.2, threshold 0.3", False, 0.2, 0.3, 1),
    ("+ dense, rate 0.02, threshold 0.3", True, 0.02, 0.3, 1),
    ("+ dense, rate 0.02, threshold 0.2 (the CNN model's)", True, 0.02, 0.2, 1),
    ("lexical, rate 0.02, threshold 0.2", False, 0.02, 0.2, 1),
    ("+ dense, rate 0.02, threshold 0.15", True, 0.02, 0.15, 1),
    ("+ dense, rate 0.02, threshold 0.1", True, 0.02, 0.1, 1),
    ("+ dense, threshold 0.15, mean of 5 seeds (shipped)", True, 0.02, 0.15, 5),
]


def splits() -> dict[str, tuple[list, list]]:
    from kg.training.train import split_holdout

    docs = [json.loads(line) for line in (SCIERC / "train.json").open(encoding="utf-8")]
    train, held = split_holdout(docs, 35, seed=0)
    return {"inner": split_holdout(train, 60, seed=1), "holdout": (train, held)}


def score_variant(nlp, model: str | None, fit_docs: list, eval_docs: list, dense: bool,
                  rate: float, threshold: float, seeds: int = 1) -> tuple[float, float, float]:
    """Typed relation P/R/F1 of ``kg extract`` on *eval_docs* with a classifier fitted on *fit_docs*."""
    import numpy as np

    from kg.extract.pipeline import SCIERC_TYPES
    from kg.extract.relations import average_models, scierc_examples, train_relations
    from kg.setlevel import extract_records, read_scierc_json, score_records

    vectors: list | None = [] if dense else None
    rows, labels = scierc_examples(fit_docs, {k: v for k, v in SCIERC_TYPES.items() if v}, nlp=nlp,
                                   dense=vectors)
    nlp.get_pipe("kg_relations").model = average_models([train_relations(
        rows, labels, epochs=10, threshold=threshold, learn_rate=rate,
        dense=np.stack(vectors) if vectors else None, seed=seed) for seed in range(seeds)])
    gold = read_scierc_json(None, eval_docs)
    return score_records(gold, extract_records(gold, model=model))["relations"]


def main(argv: list[str] | None = None) -> int:
    from kg.extract.pipeline import load_pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="pipeline folder (default: the shipped one)")
    parser.add_argument("--split", default="inner,holdout", help="comma-separated: inner, holdout")
    args = parser.parse_args(argv)
    nlp = load_pipeline(args.model)  # the cached pipeline extract_records uses too
    shipped = nlp.get_pipe("kg_relations").model
    names = args.split.split(",")
    data = splits()
    table = {v[0]: {} for v in VARIANTS}
    try:
        for name in names:
            for label, dense, rate, threshold, seeds in VARIANTS:
                table[label][name] = score_variant(nlp, args.model, *data[name], dense, rate, threshold,
                                                   seeds)
    finally:
        nlp.get_pipe("kg_relations").model = shipped
    print(f"{'classifier':<46} " + " ".join(f"{n + ' P/R/F1':>20}" for n in names))
    for label, row in table.items():
        print(f"{label:<46} " + " ".join(f"{'/'.join(f'{x:.3f}' for x in row[n]):>20}" for n in names))
    print("typed relation F1, set-level per abstract on kg extract records; "
          f"model {args.model or 'shipped'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
