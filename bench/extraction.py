"""Extraction quality of ``kg extract`` on held-out SciREX and SciERC abstracts (set-level).

    python bench/extraction.py [--model PATH] [--corpus scirex,scierc,dev] [--show N]

Nothing here is tuned on: the hold-outs are the ones ``kg train`` keeps for checkpoint
selection, drawn with split seed 0 (40 SciREX papers, by document; 35 SciERC train
abstracts); SciERC dev is only reported. kg's typed name table (kg/data/names.jsonl) is
built from the other SciREX papers only.

- **scirex**: the abstracts of the held-out SciREX papers whose layout marks the abstract
  (30 words or more): Method/Task/Dataset/Metric, and the ``evaluates_on`` role against
  the datasets of the papers' result tuples;
- **scierc**: the 35 held-out SciERC train abstracts (``train.json``), five types, and
  relations in kg's names;
- **dev**: the same on SciERC dev.

Scores are set-level per abstract on ``kg extract``'s records (see :mod:`kg.setlevel`,
which ``kg evaluate`` uses for the same two gold formats).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCIERC = Path(os.environ.get("KG_SCIERC_DIR", "/work/shared/data/scierc"))
SCIREX = Path(os.environ.get("KG_SCIREX", "/work/shared/data/scirex/train.jsonl"))
COLUMNS = ["untyped", "method", "dataset", "task", "metric", "concept", "relations",
           "relations (no Generic)", "evaluates_on role"]


def hold_out(name: str) -> list:
    from kg.setlevel import read_scierc_json, read_scirex_abstracts
    from kg.training.scirex import read_scirex, split_scirex
    from kg.training.train import split_holdout

    if name == "scirex":
        return read_scirex_abstracts(SCIREX, split_scirex(read_scirex(SCIREX), 40, seed=0)[1])
    if name == "scierc":
        docs = [json.loads(line) for line in (SCIERC / "train.json").open(encoding="utf-8")]
        return read_scierc_json(None, split_holdout(docs, 35, seed=0)[1])
    return read_scierc_json(SCIERC / "dev.json")


def main(argv: list[str] | None = None) -> int:
    from kg.setlevel import extract_records, predicted_sets, score_records

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="pipeline folder (default: the shipped one)")
    parser.add_argument("--corpus", default="scirex,scierc,dev", help="comma-separated: scirex, scierc, dev")
    parser.add_argument("--show", type=int, default=0, help="print N abstracts' misses and false hits")
    args = parser.parse_args(argv)
    rows = []
    for name in args.corpus.split(","):
        gold = hold_out(name)
        t0 = time.perf_counter()
        recs = extract_records(gold, model=args.model)
        rows.append((name, len(gold), time.perf_counter() - t0, score_records(gold, recs)))
        for g, rec in list(zip(gold, recs))[:args.show]:
            pe = predicted_sets(rec, g.types)[0]
            print(f"-- {g.title[:70]}\n   missed: {sorted(g.entities - pe)}\n   wrong:  {sorted(pe - g.entities)}")
    heads = ["untyped", "method", "dataset", "task", "metric", "concept", "rel", "rel*", "role"]
    print(f"{'hold-out':<8} {'n':>3}  {'typed P/R/F1':<17} " + " ".join(f"{h:>7}" for h in heads))
    for name, n, _, s in rows:
        p, r, f = s["typed"]
        cells = " ".join(f"{s[c][2]:7.3f}" if c in s else f"{'-':>7}" for c in COLUMNS)
        print(f"{name:<8} {n:>3}  {p:.3f}/{r:.3f}/{f:.3f} {cells}")
    for name, _, seconds, s in rows:
        extra = [f"{c} P/R/F1 {'/'.join(f'{x:.3f}' for x in s[c])}" for c in COLUMNS[6:] if c in s]
        print(f"{name}: {'; '.join(extra)}; {seconds:.1f} s")
    print("F1; set-level per abstract on kg extract records; rel = relations typed, rel* = against gold "
          "without Generic arguments, role = evaluates_on against the result tuples' datasets; "
          f"model {args.model or 'shipped'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
