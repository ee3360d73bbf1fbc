"""Extraction quality of ``kg extract`` on held-out SciREX and SciERC abstracts (set-level).

    python bench/extraction.py [--model PATH] [--corpus scirex,scierc,dev] [--show N]

Nothing here is tuned on: the hold-outs are the ones ``kg train`` keeps for checkpoint
selection, drawn by document with split seed 0 (40 SciREX papers, 35 SciERC train
abstracts); SciERC dev is only reported. kg's typed name table is built from the other
SciREX papers only.

- **scirex**: the abstracts of the held-out SciREX papers whose layout marks the abstract
  (30 words or more). Gold: every Method/Task/Material/Metric mention in the abstract.
  kg's ``concept`` entities are left out (SciREX has no such type).
- **scierc**: the 35 held-out SciERC train abstracts (``train.json``: nested entities kept,
  Generic left out), five types, and their relations in kg's names
  (EVALUATE-FOR turned round into ``evaluated_on``; ``compared_with`` and ``conjunction``
  unordered).
- **dev**: the same on SciERC dev.

Set-level per abstract: the gold set is the abstract's distinct (name, type) pairs, the
predicted set what ``kg extract`` outputs for the abstract field (``entities``, and
``relations`` between them); names are compared by kg's canonical key, case-folded
(``canonical_key``). Counts are summed over abstracts (micro P/R/F1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCIERC = Path(os.environ.get("KG_SCIERC_DIR", "/work/shared/data/scierc"))
SCIREX = Path(os.environ.get("KG_SCIREX", "/work/shared/data/scirex/train.jsonl"))
SCIERC_TYPES = {"Method": "method", "Material": "dataset", "Task": "task", "Metric": "metric",
                "OtherScientificTerm": "concept"}
RELATION_NAMES = {"USED-FOR": "used_for", "FEATURE-OF": "feature_of", "HYPONYM-OF": "hyponym_of",
                  "PART-OF": "part_of", "COMPARE": "compared_with", "CONJUNCTION": "conjunction",
                  "EVALUATE-FOR": "evaluated_on"}
SYMMETRIC = {"compared_with", "conjunction"}


def key(text: str) -> str:
    from kg.normalize import canonical_key, compact_key

    return compact_key(canonical_key(text)).casefold()


def rel_item(h: str, t: str, typ: str) -> tuple[str, str, str]:
    if typ in SYMMETRIC and t < h:
        h, t = t, h
    return h, t, typ


# --- gold --------------------------------------------------------------------------------------

def scirex_gold() -> list[dict]:
    from kg.training.scirex import SCIREX_LABELS, abstract_doc, read_scirex, split_scirex

    _, held = split_scirex(read_scirex(SCIREX), 40, seed=0)
    out = []
    for d in held:
        a = abstract_doc(d)
        if not d.marked or len(a.text.split()) < 30:
            continue
        ents = {(key(a.text[s:e]), SCIREX_LABELS[t]) for s, e, t in a.spans}
        out.append({"title": d.title or d.id, "abstract": a.text, "ents": ents, "rels": None,
                    "evaluates_on": result_datasets(d)})
    return out


def dkey(text: str) -> str:
    """A dataset's key without a trailing "dataset"/"corpus" (kg drops it after a name)."""
    import re

    return re.sub(r"(dataset|datasets|corpus|benchmark|set)$", "", key(text)) or key(text)


def result_datasets(d) -> set[str]:
    """Keys of the abstract's mentions of datasets the paper's result tuples report on."""
    from kg.training.scirex import _join

    a, b = d.abstract_range
    reported = {r["Material"] for r in d.results if r.get("Material")}
    return {dkey(_join(d.words[s:e])[0]) for name in reported for s, e in d.coref.get(name, ())
            if a <= s and e <= b}


def scierc_gold(name: str) -> list[dict]:
    from kg.training.convert import detokenize
    from kg.training.train import split_holdout

    docs = [json.loads(line) for line in (SCIERC / f"{name}.json").open(encoding="utf-8")]
    if name == "train":
        _, docs = split_holdout(docs, 35, seed=0)
    out = []
    for d in docs:
        toks = [t for s in d["sentences"] for t in s]
        text, offs = detokenize(toks)

        def surface(s: int, e: int) -> str:
            return text[offs[s][0]:offs[e][1]]

        typ_of = {}
        ents = set()
        for sent in d["ner"]:
            for s, e, t in sent:
                if t in SCIERC_TYPES:
                    ents.add((key(surface(s, e)), SCIERC_TYPES[t]))
                    typ_of[(s, e)] = t
        generic = {(s, e) for sent in d["ner"] for s, e, t in sent if t == "Generic"}
        rels, rels_kg = set(), set()
        for sent in d["relations"]:
            for s1, e1, s2, e2, t in sent:
                h, tl = key(surface(s1, e1)), key(surface(s2, e2))
                kg_type = RELATION_NAMES[t]
                if t == "EVALUATE-FOR":
                    h, tl = tl, h
                rels.add(rel_item(h, tl, kg_type))
                if (s1, e1) not in generic and (s2, e2) not in generic:
                    rels_kg.add(rel_item(h, tl, kg_type))
        out.append({"title": f"SciERC {d['doc_key']}", "abstract": text, "ents": ents, "rels": rels, "rels_kg": rels_kg})
    return out


# --- predictions ---------------------------------------------------------------------------------

def kg_extract(gold: list[dict], model: str | None) -> tuple[list[dict], float]:
    """Run ``kg extract`` on the gold abstracts; return its records (in gold order) and seconds."""
    from click.testing import CliRunner

    from kg.cli import cli as main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "papers.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for g in gold:
                fh.write(json.dumps({"title": g["title"], "abstract": g["abstract"]}) + "\n")
        args = ["extract", "-q", str(path)] + (["--model", model] if model else [])
        t0 = time.perf_counter()
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        seconds = time.perf_counter() - t0
    by_title = {}
    for line in res.output.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            by_title[rec["title"]] = rec
    return [by_title[g["title"]] for g in gold], seconds


def predicted(rec: dict, types: set[str]) -> tuple[set, set]:
    ents = rec["entities"]
    pe = {(key(e["text"]), e["type"]) for e in ents if e["field"] == "abstract" and e["type"] in types}
    pr = set()
    for r in rec.get("relations", []):
        h, t = ents[r["head"]], ents[r["tail"]]
        if h["field"] == "abstract" and t["field"] == "abstract":
            pr.add(rel_item(key(h["text"]), key(t["text"]), r["type"]))
    return pe, pr


# --- scoring -------------------------------------------------------------------------------------

def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(gold: list[dict], recs: list[dict], types: set[str]) -> dict[str, tuple[float, float, float]]:
    c: Counter = Counter()
    for g, rec in zip(gold, recs):
        pe, pr = predicted(rec, types)
        ge = g["ents"]
        sets = {
            "typed": (ge, pe),
            "untyped": ({k for k, _ in ge}, {k for k, _ in pe}),
            **{t: ({x for x in ge if x[1] == t}, {x for x in pe if x[1] == t}) for t in sorted(types)},
        }
        if g.get("evaluates_on") is not None:
            sets["evaluates_on"] = (g["evaluates_on"], {dkey(e["text"]) for e in rec["entities"]
                                                        if e["field"] == "abstract" and e["role"] == "evaluates_on"})
        if g["rels"] is not None:
            sets["relations"] = (g["rels"], pr)
            sets["relations*"] = (g["rels_kg"], pr)
            sets["rel untyped"] = ({tuple(sorted(x[:2])) for x in g["rels"]}, {tuple(sorted(x[:2])) for x in pr})
        for name, (gs, ps) in sets.items():
            c[name, "tp"] += len(gs & ps)
            c[name, "fp"] += len(ps - gs)
            c[name, "fn"] += len(gs - ps)
    names = dict.fromkeys(n for n, _ in c)
    return {n: prf(c[n, "tp"], c[n, "fp"], c[n, "fn"]) for n in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="pipeline folder (default: the shipped one)")
    parser.add_argument("--corpus", default="scirex,scierc,dev", help="comma-separated: scirex, scierc, dev")
    parser.add_argument("--show", type=int, default=0, help="print N abstracts' misses and false hits")
    args = parser.parse_args(argv)
    loaders = {"scirex": (scirex_gold, {"method", "task", "dataset", "metric"}),
               "scierc": (lambda: scierc_gold("train"), set(SCIERC_TYPES.values())),
               "dev": (lambda: scierc_gold("dev"), set(SCIERC_TYPES.values()))}
    rows = []
    for name in args.corpus.split(","):
        load, types = loaders[name]
        gold = load()
        recs, seconds = kg_extract(gold, args.model)
        s = score(gold, recs, types)
        rows.append((name, len(gold), seconds, s))
        for g, rec in list(zip(gold, recs))[:args.show]:
            pe, _ = predicted(rec, types)
            print(f"-- {g['title'][:70]}\n   missed: {sorted(g['ents'] - pe)}\n   wrong:  {sorted(pe - g['ents'])}")
    cols = ["typed", "untyped", "method", "dataset", "task", "metric", "concept", "relations", "rel untyped"]
    print(f"{'hold-out':<8} {'n':>3}  {'typed P/R/F1':<17} " + " ".join(f"{c[:8]:>8}" for c in cols[1:]))
    for name, n, _, s in rows:
        p, r, f = s["typed"]
        cells = " ".join(f"{s[c][2]:8.3f}" if c in s else f"{'-':>8}" for c in cols[1:])
        print(f"{name:<8} {n:>3}  {p:.3f}/{r:.3f}/{f:.3f} {cells}")
    for name, _, _, s in rows:
        if "evaluates_on" in s:
            p, r, f = s["evaluates_on"]
            print(f"{name} role evaluates_on (datasets of the result tuples) P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}")
        if "relations" in s:
            p, r, f = s["relations"]
            print(f"{name} relations typed P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}; "
                  f"gold without Generic arguments: {s['relations*'][0]:.3f}/{s['relations*'][1]:.3f}/"
                  f"{s['relations*'][2]:.3f}")
    print("(F1 unless stated; set-level per abstract, kg extract output; "
          f"model {args.model or 'shipped'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
