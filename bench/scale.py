"""Benchmark `kg build` at scale on synthetic corpora recombined from the seed abstracts.

    python bench/scale.py [--sizes 10000 100000] [--workers 1 2] [--dask-size 10000]
                          [--bare-sample 4000] [--model PATH_OR_NAME] [--keep DIR]

For each size, a synthetic corpus is written as JSONL: every paper's abstract
is 4 to 9 sentences drawn from the seed abstracts with a seeded RNG, its title
a seed title; each record is marked synthetic (title prefix ``[synthetic]``,
``"synthetic": true``). Then, each in a fresh child process:

- ``kg build`` in one process (``html`` and ``store`` off, graph.json and
  graph.ttl on): papers/s end to end, the time of every stage from
  ``BuildResult.timings``, and peak RSS;
- the bare spaCy pipeline (``spacy.load`` of the same model, ``nlp.pipe``,
  nothing of kg's) over the titles and abstracts of the first
  ``--bare-sample`` papers of the same corpus; the ratio column is end-to-end
  papers/s over bare papers/s;
- on the ``--dask-size`` corpus, ``kg build --dask local --workers N`` for each
  N of ``--workers`` (the wall time includes starting and closing the cluster).

Peak RSS is sampled every 0.2 s over the process and all its children (Dask
workers included) and also read from ``getrusage``. Other load on the machine
slows every figure; the load average and the CPU seconds used are printed so
a reader can judge, and papers per CPU-second is less sensitive to it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself must not shadow the standard library (bench/html.py would hide `html`)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
STAGES = ("read", "load_model", "extract", "graph", "export_json", "export_rdf")


# --- the synthetic corpus -------------------------------------------------------------------------

def synthetic_corpus(n: int, path: Path, *, seed: int = 0, seeds_dir: Path = ROOT / "seeds") -> Path:
    """Write *n* synthetic papers (seed sentences recombined, seeded RNG) as JSONL to *path*."""
    from kg.read import read_papers

    papers = read_papers([seeds_dir])
    sentences = sorted({s for p in papers for s in SENTENCE_END.split(p.abstract) if len(s) > 20})
    titles = sorted({p.title for p in papers})
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            abstract = " ".join(rng.sample(sentences, rng.randint(4, 9)))
            record = {"id": f"synthetic-{seed}-{i}", "title": f"[synthetic] {rng.choice(titles)} ({i})",
                      "abstract": abstract, "synthetic": True}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# --- measuring one run in a child process ---------------------------------------------------------

class PeakRSS:
    """Sample the RSS of this process plus all its children; keep the peak (bytes)."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Self:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and its live children (Dask workers are not waited for)."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def replicate(extractions: list, factor: int) -> list:
    """*factor* copies of every paper's extraction, each copy a new paper (new title and id)."""
    from dataclasses import replace

    from kg.read._records import paper_id

    out = []
    for k in range(factor):
        for paper, mentions, relations in extractions:
            title = f"{paper.title} [copy {k}]"
            new = replace(paper, id=paper_id(title), title=title)
            ms = {m: replace(m, paper_id=new.id) for m in mentions}
            rels = [replace(r, paper_id=new.id, head=ms[r.head], tail=ms[r.tail]) for r in relations]
            out.append((new, list(ms.values()), rels))
    return out


def run_child(mode: str, corpus: str, model: str | None, workers: int, bare_sample: int,
              out: Path | None = None, min_cooccurrence: int | None = None) -> dict:
    """Runs in a fresh process: one measurement, returned as a dict."""
    import kg

    out = out or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    load0 = os.getloadavg()[0]
    cpu0 = cpu_seconds()
    res: dict = {"mode": mode, "workers": workers}
    with PeakRSS() as rss:
        if mode == "kg":
            t0, c0 = time.perf_counter(), cpu_seconds()  # forked workers count once joined
            r = kg.build([corpus], out, model=model, html=False, store=False, n_process=workers,
                         min_cooccurrence=min_cooccurrence)
            res["wall"] = time.perf_counter() - t0
            res["cpu_section"] = cpu_seconds() - c0
            res.update(papers=r.papers, entities=r.entities, edges=r.edges, timings=r.timings,
                       memory=r.memory)
        elif mode == "bare":
            import spacy

            from kg.extract.pipeline import DEFAULT_MODEL, FALLBACK_MODEL
            from kg.read import read_papers

            name = model or (str(DEFAULT_MODEL) if (DEFAULT_MODEL / "config.cfg").exists() else FALLBACK_MODEL)
            papers = read_papers([corpus])[:bare_sample]
            texts = [x for p in papers for x in (p.title, p.abstract)]
            t0 = time.perf_counter()
            nlp = spacy.load(name)
            res["load"] = time.perf_counter() - t0
            list(nlp.pipe(texts[:20]))  # warm up
            t0, c0 = time.perf_counter(), cpu_seconds()
            for _ in nlp.pipe(texts, batch_size=64, n_process=workers):  # spaCy's own processes
                pass
            res["wall"] = time.perf_counter() - t0
            res["cpu_section"] = cpu_seconds() - c0
            res.update(papers=len(papers), model=name, pipe_names=nlp.pipe_names)
        elif mode == "dask":
            from kg.extract.distributed import local_cluster

            # start-up and shut-down of a LocalCluster, timed apart for the report
            t0 = time.perf_counter()
            local_cluster(workers).close()
            res["cluster_start"] = time.perf_counter() - t0
            # then exactly `kg build --dask local --workers N`: kg starts its cluster, extracts, closes it
            # before building the graph (a cluster kept open in this process, as the scheduler of an
            # outside LocalCluster would be, slows the single-threaded stages after extraction by ~20%)
            t0 = time.perf_counter()
            r = kg.build([corpus], out, model=model, html=False, store=False, dask="local", n_process=workers)
            res["wall"] = time.perf_counter() - t0
            res["cpu_tree"] = tree_cpu_seconds()
            res.update(papers=r.papers, entities=r.entities, edges=r.edges, timings=r.timings)
        elif mode == "replicate":
            # graph and exports at scale from a smaller build's extractions, copied `workers` times
            from kg.builder import write_exports
            from kg.export.json import read_graph
            from kg.graph import build_graph, extractions_from_graph

            timings: dict[str, float] = {}
            t0 = time.perf_counter()
            base = extractions_from_graph(read_graph(corpus))
            extractions = replicate(base, workers)
            del base
            res["prepare"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            G = build_graph(extractions)
            timings["graph"] = time.perf_counter() - t0
            write_exports(G, out, html=False, store=False, timings=timings)
            res["wall"] = sum(timings.values())
            res.update(papers=len(extractions), timings=timings, edges=G.number_of_edges(),
                       entities=sum(1 for _, k in G.nodes(data="kind") if k == "entity"))
    res["cpu"] = cpu_seconds() - cpu0
    res["peak_rss"] = rss.peak
    res["maxrss_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    res["load_avg"] = (load0 + os.getloadavg()[0]) / 2
    for name in ("graph.json", "graph.ttl"):
        if (out / name).exists():
            res[f"size_{name}"] = (out / name).stat().st_size
    return res


def measure(mode: str, corpus: Path, args: argparse.Namespace, workers: int = 1, out: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--_child", mode, str(corpus), "--_workers", str(workers),
           "--bare-sample", str(args.bare_sample)]
    if out is not None:
        cmd += ["--_out", str(out)]
    if args.model:
        cmd += ["--model", args.model]
    if args.min_cooccurrence is not None:
        cmd += ["--min-cooccurrence", str(args.min_cooccurrence)]
    print(f"  running {mode}{'' if mode != 'dask' else f' ({workers} worker(s))'} on {corpus.name} ...",
          file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench child failed ({' '.join(cmd)}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print("  " + json.dumps(result), file=sys.stderr, flush=True)
    return result


# --- the report -----------------------------------------------------------------------------------

def gib(n: float) -> str:
    return f"{n / 2**30:.2f}"


def report(rows: list[tuple[int, dict, dict]], dask_rows: list[dict], dask_size: int | None,
           rep_rows: list[tuple[int, dict, dict]] = ()) -> None:
    print("\nkg build at scale (synthetic corpora; html and store off; graph.json + graph.ttl written)\n")
    head = (f"{'papers':>8}{'procs':>6}{'wall s':>9}{'papers/s':>10}{'bare p/s':>10}{'ratio':>7}{'ratio CPU':>10}"
            f"{'peak RSS GiB':>14}{'main RSS':>10}{'CPU s':>8}{'load':>6}  " + "  ".join(f"{s}" for s in STAGES))
    print(head)
    print("-" * len(head))
    for n, r, bare in rows:
        pps = r["papers"] / r["wall"]
        bare_pps = bare["papers"] / bare["wall"]
        cpu_ratio = (r["papers"] / r["cpu_section"]) / (bare["papers"] / bare["cpu_section"])
        stages = "  ".join(f"{r['timings'].get(s, 0.0):>{len(s)}.1f}" for s in STAGES)
        print(f"{r['papers']:>8}{r['workers']:>6}{r['wall']:>9.1f}{pps:>10.1f}{bare_pps:>10.1f}{pps / bare_pps:>7.2f}{cpu_ratio:>10.2f}"
              f"{gib(r['peak_rss']):>14}{gib(r['maxrss_self']):>10}{r['cpu']:>8.0f}{r['load_avg']:>6.1f}  {stages}")
    for n, r0, rep in rep_rows:
        scale = rep["papers"] / r0["papers"]
        t = dict(r0["timings"])
        for k in ("read", "extract"):
            t[k] = r0["timings"][k] * scale
        t.update(rep["timings"])
        wall = sum(t.get(s, 0.0) for s in STAGES)
        stages = "  ".join(f"{t.get(s, 0.0):>{len(s)}.1f}" for s in STAGES)
        print(f"{rep['papers']:>8}{1:>6}{wall:>9.1f}{rep['papers'] / wall:>10.1f}{'':>10}{'':>7}{'':>10}"
              f"{gib(rep['peak_rss']):>14}{gib(rep['maxrss_self']):>10}{'':>8}{rep['load_avg']:>6.1f}  {stages}  *")
    if rep_rows:
        print("  * graph and exports measured on the largest build's extractions copied "
              f"{rep_rows[-1][2]['workers']}x; read and extract extrapolated linearly from it; "
              "peak RSS without the spaCy model")
    if rows:
        bare = rows[-1][2]
        print(f"\nbare spaCy: {bare['model']} ({', '.join(bare['pipe_names'])}), nlp.pipe(batch_size=64) over the "
              f"first {bare['papers']} papers of the same corpus, in the same run, with n_process 1 and with "
              "as many processes as kg's row (the faster counts); 'ratio CPU' compares papers per CPU-second "
              "of the measured sections (less sensitive to other load). 'peak RSS' sums the process and its "
              "children (forked workers share the model's pages, so this counts them twice); 'main RSS' is "
              "the peak of the process that holds the graph.")
        for n, r, b in rows:
            mem = r.get("memory") or {}
            if mem:
                print(f"  {r['papers']} papers, {r['workers']} proc(s): peak RSS of the main process after each "
                      "stage (GiB): " + ", ".join(f"{k} {gib(v)}" for k, v in mem.items()))
    if dask_rows:
        print(f"\nkg build --dask local --workers N, {dask_size} papers (wall includes starting and closing "
              f"the cluster; 'start s' is a separate start + close)\n")
        head = (f"{'workers':>8}{'start s':>9}{'wall s':>9}{'papers/s':>10}{'extract s':>11}{'speed-up':>10}"
                f"{'peak RSS GiB':>14}{'load':>6}")
        print(head)
        print("-" * len(head))
        base = dask_rows[0]["papers"] / dask_rows[0]["wall"]
        for r in dask_rows:
            pps = r["papers"] / r["wall"]
            print(f"{r['workers']:>8}{r['cluster_start']:>9.1f}{r['wall']:>9.1f}{pps:>10.1f}"
                  f"{r['timings']['extract']:>11.1f}{pps / base:>10.2f}{gib(r['peak_rss']):>14}{r['load_avg']:>6.1f}")
    print(f"\n(load: the machine's 1-minute load average during the run, {os.cpu_count()} CPUs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="Corpus sizes to build.")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2],
                    help="LocalCluster sizes to compare (empty: skip Dask).")
    ap.add_argument("--n-process", type=int, nargs="*", default=[1],
                    help="kg build --workers values to run on one machine (1: the same process as bare spaCy).")
    ap.add_argument("--dask-size", type=int, default=10_000, help="Corpus size for the Dask comparison.")
    ap.add_argument("--bare-sample", type=int, default=4000,
                    help="Papers of each corpus the bare spaCy pipeline runs over. Keep it in the "
                         "thousands: with n_process=2 spaCy starts two processes (a few seconds), "
                         "which on 1,000 papers made bare spaCy look ~35%% slower than it is.")
    ap.add_argument("--model", default=None, help="spaCy pipeline (default: kg's).")
    ap.add_argument("--min-cooccurrence", type=int, default=None,
                    help="Passed to kg.build (default: kg's, 1 below 20,000 papers, else 2).")
    ap.add_argument("--seed", type=int, default=0, help="RNG seed of the synthetic corpora.")
    ap.add_argument("--keep", type=Path, default=None, help="Folder for the corpora (default: a temp folder).")
    ap.add_argument("--_child", nargs=2, metavar=("MODE", "CORPUS"), help=argparse.SUPPRESS)
    ap.add_argument("--_workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--_out", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--replicate", type=int, nargs="*", default=[],
                    help="Also time graph + exports (not extraction) at these sizes, by copying the papers "
                         "of the largest built corpus; extraction time is then extrapolated linearly.")
    args = ap.parse_args()

    if args._child:
        mode, corpus = args._child
        print(json.dumps(run_child(mode, corpus, args.model, args._workers, args.bare_sample, args._out,
                                    args.min_cooccurrence)))
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-scale-corpus-"))
    work.mkdir(parents=True, exist_ok=True)

    def corpus(n: int) -> Path:
        path = work / f"synthetic-{n}-seed{args.seed}.jsonl"
        if not path.exists():
            synthetic_corpus(n, path, seed=args.seed)
        return path

    rows = []
    for n in args.sizes:
        c = corpus(n)
        # the bare pipeline on as many processes as kg gets (spaCy's n_process), the faster one counts
        bare = {w: measure("bare", c, args, workers=w) for w in sorted({1, *args.n_process})}
        for w in args.n_process:
            best = max((bare[1], bare[w]), key=lambda b: b["papers"] / b["wall"])
            rows.append((n, measure("kg", c, args, workers=w, out=work / f"build-{n}"), best))
    rep_rows = []
    if args.replicate and rows:
        n0, r0, _ = next(row for row in reversed(rows) if row[1]["workers"] == 1)
        for n in args.replicate:
            rep_rows.append((n, r0, measure("replicate", work / f"build-{n0}" / "graph.json", args,
                                            workers=max(1, round(n / n0)))))
    dask_rows = [measure("dask", corpus(args.dask_size), args, workers=w) for w in args.workers]
    report(rows, dask_rows, args.dask_size, rep_rows)


if __name__ == "__main__":
    main()
