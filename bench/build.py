"""Benchmark `kg build` stage by stage, next to the bare spaCy pipeline on the same texts.

    python bench/build.py [INPUT ...] [--model PATH_OR_NAME] [--repeat N] [--read-items N] [--read-only]

Prints papers per second for reading, extraction, graph building and each
export, and for the bare spaCy pipeline (the model alone, without kg's
components or anything around it) over the same titles and abstracts in the
same process, so the cost of everything around spaCy is visible. Each figure
is the median of --repeat runs. "exports as a set" is what `kg build` does:
the exports written into a staging folder and swapped into place.

Then it reads the same --read-items synthetic records (default 100,000, each
marked "[synthetic]") as one .json array and as JSON Lines: the array must not
be much slower (it was quadratic before issue 15). --read-only runs this part only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", default=[str(ROOT / "seeds")])
    ap.add_argument("--model", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--read-items", type=int, default=100_000)
    ap.add_argument("--read-only", action="store_true")
    args = ap.parse_args()
    if not args.read_only:
        stages(args)
    read_formats(args.read_items, args.repeat)


def read_formats(n: int, repeat: int) -> None:
    """Seconds to read *n* records as a .json array and as .jsonl, and their ratio."""
    import json

    from kg.read import read_papers

    records = [{"title": f"[synthetic] Paper {i} on sparse attention",
                "abstract": f"[synthetic] We propose method {i}. It is evaluated on ImageNet and GLUE.",
                "year": 2024} for i in range(n)]
    with tempfile.TemporaryDirectory() as d:
        array, lines = Path(d) / "papers.json", Path(d) / "papers.jsonl"
        array.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")
        lines.write_text("".join(json.dumps(r) + "\n" for r in records))
        t_json, _ = timed(lambda: read_papers(array), repeat)
        t_jsonl, _ = timed(lambda: read_papers(lines), repeat)
    print(f"\nreading {n:,} records (median of {repeat}): .json array {t_json:.2f} s, "
          f".jsonl {t_jsonl:.2f} s, ratio {t_json / t_jsonl:.2f}")


def stages(args: argparse.Namespace) -> None:

    import spacy

    from kg._outset import OutputSet
    from kg.builder import write_exports
    from kg.export.html import write_html
    from kg.export.json import write_graph
    from kg.export.rdf import write_rdf
    from kg.extract import extract_papers
    from kg.extract.pipeline import DEFAULT_MODEL, FALLBACK_MODEL, load_pipeline
    from kg.graph import build_graph
    from kg.read import read_papers
    from kg.store import build_store

    rows = []
    t, papers = timed(lambda: read_papers(args.inputs), args.repeat)
    n = len(papers)
    rows.append(("read", t))

    model = args.model or (str(DEFAULT_MODEL) if (DEFAULT_MODEL / "config.cfg").exists() else FALLBACK_MODEL)
    bare = spacy.load(model)
    texts = [x for p in papers for x in (p.title, p.abstract)]
    list(bare.pipe(texts[:20]))  # warm up
    t_bare, _ = timed(lambda: list(bare.pipe(texts, batch_size=64)), args.repeat)

    nlp = load_pipeline(args.model)
    list(extract_papers(papers[:10], nlp=nlp))
    t, extractions = timed(lambda: list(extract_papers(papers, nlp=nlp)), args.repeat)
    rows.append(("extract (spaCy + kg rules)", t))
    t, G = timed(lambda: build_graph(extractions), args.repeat)
    rows.append(("graph", t))
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        rows.append(("export json", timed(lambda: write_graph(G, out / "g.json"), args.repeat)[0]))
        rows.append(("export rdf (turtle)", timed(lambda: write_rdf(G, out / "g.ttl"), args.repeat)[0]))
        rows.append(("export html", timed(lambda: write_html(G, out / "g.html"), args.repeat)[0]))
        rows.append(("store", timed(lambda: build_store(G, out / "store"), args.repeat)[0]))
        t_all, _ = timed(lambda: write_exports(G, out / "all"), 1)

        def as_a_set():
            with OutputSet(out / "set") as outputs:
                write_exports(G, outputs.stage)
                outputs.commit()
        as_a_set()  # the second run replaces a set, as a rebuild does
        t_set, _ = timed(as_a_set, 1)
    total = sum(t for _, t in rows)

    print(f"kg build benchmark: {n} papers, model {model}, median of {args.repeat} run(s)\n")
    print(f"{'stage':<30}{'seconds':>10}{'papers/s':>12}{'vs bare spaCy':>15}")
    print("-" * 67)
    print(f"{'bare spaCy pipeline':<30}{t_bare:>10.3f}{n / t_bare:>12.1f}{1.0:>15.2f}")
    for name, t in rows:
        print(f"{name:<30}{t:>10.3f}{n / t:>12.1f}{(n / t) / (n / t_bare):>15.2f}")
    print("-" * 67)
    print(f"{'end to end':<30}{total:>10.3f}{n / total:>12.1f}{(n / total) / (n / t_bare):>15.2f}")
    print(f"\n(the 'vs bare spaCy' column: a stage's papers/s divided by the bare pipeline's; "
          f"all exports together took {t_all:.3f} s, as a set replacing the previous one {t_set:.3f} s)")


if __name__ == "__main__":
    main()
