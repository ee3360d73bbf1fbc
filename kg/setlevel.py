"""Set-level extraction scores per abstract: entities, relations and roles against SciERC or SciREX.

``kg evaluate`` uses this for two gold formats beside its span-level ones:

- **SciERC JSON** (``train.json``/``dev.json``/``test.json``: ``sentences``, ``ner``,
  ``relations`` per abstract): entities in kg's five types (nested ones kept, Generic
  left out) and relations in kg's names (EVALUATE-FOR turned round into
  ``evaluated_on``; ``compared_with`` and ``conjunction`` unordered);
- **SciREX JSON Lines** (``words``, ``ner``, ``coref``, ``n_ary_relations``): the
  abstract of each paper, its Method/Task/Material/Metric mentions (kg's ``concept``
  entities are left out of the predictions, SciREX has no such type) and, as the
  ``evaluates_on`` role, the datasets its result tuples report on.

Each abstract's gold is its set of distinct (name, type) pairs; the prediction is what
``kg extract`` outputs for the abstract (entities, and relations between them). Names
compare by kg's canonical key, case-folded. Counts are summed over abstracts (micro
P/R/F1).

>>> key("the Piecewise-linear RNNs") == key("piecewise linear RNN")
True
>>> prf(3, 1, 2)
(0.75, 0.6, 0.667)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["SetGold", "format_set_scores", "is_set_gold", "key", "prf", "read_scierc_json",
           "read_scirex_abstracts", "score_records"]

SCIERC_TYPES = {"Method": "method", "Material": "dataset", "Task": "task", "Metric": "metric",
                "OtherScientificTerm": "concept"}
RELATION_NAMES = {"USED-FOR": "used_for", "FEATURE-OF": "feature_of", "HYPONYM-OF": "hyponym_of",
                  "PART-OF": "part_of", "COMPARE": "compared_with", "CONJUNCTION": "conjunction",
                  "EVALUATE-FOR": "evaluated_on"}
SYMMETRIC = frozenset({"compared_with", "conjunction"})


@dataclass
class SetGold:
    """One abstract's gold sets (``relations``/``relations_kg``/``evaluates_on`` None when absent)."""

    title: str
    abstract: str
    types: frozenset[str]
    entities: set[tuple[str, str]]
    relations: set[tuple[str, str, str]] | None = None
    relations_kg: set[tuple[str, str, str]] | None = None  # without Generic arguments
    evaluates_on: set[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


_DATASET_WORDS = frozenset({"dataset", "datasets", "corpus", "benchmark", "database"})


def key(text: str) -> str:
    """The name as compared: kg's canonical key, spaces removed, case-folded.

    A "dataset"/"corpus" word after a name goes first ("CUB-200 dataset" is
    "CUB-200"): the measure does this itself, so scores of kg versions whose
    normaliser differs compare.

    A name that ends by defining its acronym ("statistical machine translation (SMT)",
    as SciERC often marks one) is the name before its bracket: kg splits such a
    definition into the entity and its alias. The acronym alone stays itself.

    >>> key("the Caltech-UCSD Birds dataset") == key("Caltech-UCSD Birds"), key("image dataset")
    (True, 'imagedataset')
    >>> key("statistical machine translation (SMT)"), key("SMT"), key("BERT (base)")
    ('statisticalmachinetranslation', 'smt', 'bertbase')
    """
    from .normalize import canonical_key, compact_key

    text = _without_definition(text)
    words = text.split()
    if len(words) > 1 and words[-1].lower() in _DATASET_WORDS and \
            (words[-2][:1].isupper() or any(c.isdigit() for c in words[-2])):
        text = " ".join(words[:-1])
    return compact_key(canonical_key(text)).casefold()


def _without_definition(text: str) -> str:
    """*text* less an acronym definition that closes it: "word error rate (WER)" -> "word error rate"."""
    from .acronyms import find_acronyms

    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return text
    for a in find_acronyms(stripped):
        if stripped[a.short_end:].strip() == ")":
            head = stripped[:stripped.rfind("(", 0, a.short_start)].rstrip()
            if head:
                return head
    return text


def _rel(h: str, t: str, typ: str) -> tuple[str, str, str]:
    if typ in SYMMETRIC and t < h:
        h, t = t, h
    return h, t, typ


def _json_lines(path: Path) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    raise InputError("not JSON", path=path, line=lineno) from None
    return out


def is_set_gold(path: str | PathLike[str]) -> str | None:
    """``"scierc"`` or ``"scirex"`` when the file's first record has that layout, else None."""
    p = Path(path)
    if not p.is_file():
        return None
    with p.open(encoding="utf-8") as fh:
        first = fh.readline()
    try:
        rec = json.loads(first)
    except json.JSONDecodeError:
        return None
    if not isinstance(rec, dict):
        return None
    if {"sentences", "ner", "relations"} <= rec.keys():
        return "scierc"
    if {"words", "ner", "sections", "sentences"} <= rec.keys():
        return "scirex"
    return None


def read_scierc_json(path: str | PathLike[str] | None, docs: Sequence[dict[str, Any]] | None = None
                     ) -> list[SetGold]:
    """Gold sets of SciERC JSON abstracts (from *path*, or the already read *docs*)."""
    from .training.convert import detokenize

    out = []
    for d in docs if docs is not None else _json_lines(Path(path)):
        text, offs = detokenize([t for s in d["sentences"] for t in s])

        def surface(s: int, e: int) -> str:
            return text[offs[s][0]:offs[e][1]]  # noqa: B023 - used inside this iteration only

        ents = {(key(surface(s, e)), SCIERC_TYPES[t]) for sent in d["ner"] for s, e, t in sent
                if t in SCIERC_TYPES}
        generic = {(s, e) for sent in d["ner"] for s, e, t in sent if t == "Generic"}
        rels, rels_kg = set(), set()
        for sent in d["relations"]:
            for s1, e1, s2, e2, t in sent:
                h, tl = key(surface(s1, e1)), key(surface(s2, e2))
                if t == "EVALUATE-FOR":
                    h, tl = tl, h
                rels.add(_rel(h, tl, RELATION_NAMES[t]))
                if (s1, e1) not in generic and (s2, e2) not in generic:
                    rels_kg.add(_rel(h, tl, RELATION_NAMES[t]))
        out.append(SetGold(f"SciERC {d.get('doc_key', len(out))}", text, frozenset(SCIERC_TYPES.values()),
                           ents, rels, rels_kg))
    return out


def read_scirex_abstracts(path: str | PathLike[str] | None, docs: Iterable[Any] | None = None, *,
                          min_words: int = 30) -> list[SetGold]:
    """Gold sets of SciREX papers' abstracts (papers whose layout marks one, of *min_words* or more)."""
    from .training.scirex import SCIREX_LABELS, _join, abstract_doc, read_scirex

    out = []
    for d in docs if docs is not None else read_scirex(path):
        a = abstract_doc(d)
        if not d.marked or len(a.text.split()) < min_words:
            continue
        lo, hi = d.abstract_range
        reported = {r["Material"] for r in d.results if r.get("Material")}
        evaluated = {key(_join(d.words[s:e])[0]) for name in reported
                     for s, e in d.coref.get(name, ()) if lo <= s and e <= hi}
        out.append(SetGold(d.title or d.id, a.text, frozenset(SCIREX_LABELS.values()),
                           {(key(a.text[s:e]), SCIREX_LABELS[t]) for s, e, t in a.spans},
                           evaluates_on=evaluated, meta={"id": d.id}))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (rounded to 3 places) from counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 3), round(r, 3), round(f, 3)


def predicted_sets(rec: dict[str, Any], types: Iterable[str]) -> tuple[set, set, set]:
    """(entities, relations, evaluates_on keys) of a kg extract record's abstract."""
    types = set(types)
    ents = rec["entities"]
    pe = {(key(e["text"]), e["type"]) for e in ents if e["field"] == "abstract" and e["type"] in types}
    pr = set()
    for r in rec.get("relations", []):
        h, t = ents[r["head"]], ents[r["tail"]]
        if h["field"] == "abstract" and t["field"] == "abstract":
            pr.add(_rel(key(h["text"]), key(t["text"]), r["type"]))
    pv = {key(e["text"]) for e in ents if e["field"] == "abstract" and e["role"] == "evaluates_on"}
    return pe, pr, pv


def score_records(gold: Sequence[SetGold], records: Sequence[dict[str, Any]]) -> dict[str, tuple]:
    """P/R/F1 per measure: typed, untyped, each type, relations, roles (those the gold has)."""
    c: Counter = Counter()
    for g, rec in zip(gold, records):
        pe, pr, pv = predicted_sets(rec, g.types)
        sets = {"typed": (g.entities, pe),
                "untyped": ({k for k, _ in g.entities}, {k for k, _ in pe}),
                **{t: ({x for x in g.entities if x[1] == t}, {x for x in pe if x[1] == t})
                   for t in sorted(g.types)}}
        if g.relations is not None:
            sets["relations"] = (g.relations, pr)
            sets["relations (no Generic)"] = (g.relations_kg or set(), pr)
            sets["relations untyped"] = ({frozenset(x[:2]) for x in g.relations},
                                         {frozenset(x[:2]) for x in pr})
        if g.evaluates_on is not None:
            sets["evaluates_on role"] = (g.evaluates_on, pv)
        for name, (gs, ps) in sets.items():
            c[name, "tp"] += len(gs & ps)
            c[name, "fp"] += len(ps - gs)
            c[name, "fn"] += len(gs - ps)
    names = dict.fromkeys(n for n, _ in c)
    return {n: prf(c[n, "tp"], c[n, "fp"], c[n, "fn"]) for n in names}


def extract_records(gold: Sequence[SetGold], *, model: str | None = None) -> list[dict[str, Any]]:
    """``kg extract``'s records for the gold abstracts, in gold order."""
    from .extract import extract_papers
    from .extract.records import extraction_records
    from .types import Paper

    papers = [Paper(id=f"G-{i}", title=g.title, abstract=g.abstract) for i, g in enumerate(gold)]
    return extraction_records(list(extract_papers(papers, model=model)))


def format_set_scores(scores: dict[str, tuple], *, title: str | None = None) -> str:
    """A plain-text table of :func:`score_records`' result."""
    lines = [title] if title else []
    lines.append(f"{'set-level, per abstract':<26} {'P':>6} {'R':>6} {'F1':>6}")
    for name, (p, r, f) in scores.items():
        lines.append(f"{name:<26} {p:6.3f} {r:6.3f} {f:6.3f}")
    return "\n".join(lines)
