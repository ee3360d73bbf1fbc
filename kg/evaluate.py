"""Score entity extraction against gold annotations.

Two matching modes, each typed (the label must agree) and untyped:

``strict``
    the predicted span has exactly the gold span's character offsets.
``lenient``
    one span lies inside the other and both end on the same head word (the
    last word of the span, trailing punctuation ignored), e.g. gold
    "statistical machine translation" and predicted "machine translation".
    Matching is one-to-one (exact pairs first), so one long prediction cannot
    cover several gold spans.

Gold can be SciERC CoNLL (types mapped onto kg's, ``Generic`` dropped) or
kg's extract JSONL, one paper a line::

    {"id": "P-1", "title": "...", "abstract": "...",
     "entities": [{"text": "BLEU", "type": "metric", "start": 10, "end": 14,
                   "field": "abstract"}]}

:func:`evaluate_files` is what ``kg evaluate`` runs: it reads gold, gets predictions (from
a file, or by running kg's extraction or a bare pipeline over the gold's papers) and scores
them. The scorer itself is a set of pure functions over :class:`Span` records:

>>> gold = [Span("d", "abstract", 0, 31, "task", "statistical machine translation")]
>>> pred = [Span("d", "abstract", 12, 31, "task", "machine translation")]
>>> s = score(gold, pred)
>>> s["strict"]["typed"]["overall"]["f1"], s["lenient"]["typed"]["overall"]["f1"]
(0.0, 1.0)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

from kg.errors import InputError
from kg.types import ENTITY_TYPES, Paper

__all__ = [
    "GoldDoc",
    "Span",
    "evaluate_files",
    "format_scores",
    "head_offsets",
    "match_lenient",
    "match_strict",
    "predict_kg",
    "predict_model_only",
    "prf",
    "read_conll_gold",
    "read_gold",
    "read_jsonl_gold",
    "read_predictions",
    "score",
]

_WORD = re.compile(r"[^\W_](?:[\w'\-./+]*[^\W_])?|[^\s\W]", re.UNICODE)


class Span(NamedTuple):
    """One annotated or predicted entity span, in character offsets of a paper's field."""

    doc: str
    field: str
    start: int
    end: int
    label: str
    text: str = ""


class GoldDoc(NamedTuple):
    """A gold paper: its id, the text of its fields and its gold spans."""

    id: str
    fields: dict[str, str]
    spans: list[Span]


def head_offsets(span: Span) -> tuple[int, int]:
    """Character offsets of the span's head: its last word, punctuation ignored.

    Without the span's text the whole span stands for its head.

    >>> head_offsets(Span("d", "abstract", 10, 24, "method", "neural parser."))
    (17, 23)
    """
    if not span.text:
        return span.start, span.end
    last = None
    for m in _WORD.finditer(span.text):
        last = m
    if last is None:
        return span.start, span.end
    return span.start + last.start(), span.start + last.end()


def _key(span: Span, typed: bool) -> tuple:
    return (span.doc, span.field, span.start, span.end) + ((span.label,) if typed else ())


def _dedupe(spans: Iterable[Span], typed: bool) -> list[Span]:
    seen: dict[tuple, Span] = {}
    for s in spans:
        seen.setdefault(_key(s, typed), s)
    return list(seen.values())


def match_strict(gold: Iterable[Span], pred: Iterable[Span], *, typed: bool = True) -> list[tuple[Span, Span]]:
    """Pairs ``(gold, pred)`` with identical offsets (and label when *typed*).

    >>> g = [Span("d", "abstract", 0, 4, "metric")]
    >>> len(match_strict(g, [Span("d", "abstract", 0, 4, "method")]))
    0
    >>> len(match_strict(g, [Span("d", "abstract", 0, 4, "method")], typed=False))
    1
    """
    by_key = {_key(p, typed): p for p in _dedupe(pred, typed)}
    return [(g, by_key[_key(g, typed)]) for g in _dedupe(gold, typed) if _key(g, typed) in by_key]


def _lenient_ok(g: Span, p: Span, typed: bool) -> bool:
    if g.doc != p.doc or g.field != p.field:
        return False
    if typed and g.label != p.label:
        return False
    inside = (p.start >= g.start and p.end <= g.end) or (g.start >= p.start and g.end <= p.end)
    return inside and head_offsets(g) == head_offsets(p)


def match_lenient(gold: Iterable[Span], pred: Iterable[Span], *, typed: bool = True) -> list[tuple[Span, Span]]:
    """One-to-one pairs where one span is inside the other and both share the head word.

    Exact matches are paired first; then each remaining gold span takes the
    remaining candidate closest in length.

    >>> g = [Span("d", "abstract", 0, 12, "method", "the CRF model")]
    >>> p = [Span("d", "abstract", 4, 12, "method", "CRF model")]
    >>> len(match_lenient(g, p))
    1
    >>> len(match_lenient(g, [Span("d", "abstract", 0, 7, "method", "the CRF")]))
    0
    """
    gold = _dedupe(gold, typed)
    pred = _dedupe(pred, typed)
    pairs = match_strict(gold, pred, typed=typed)
    used_g = {_key(g, typed) for g, _ in pairs}
    used_p = {_key(p, typed) for _, p in pairs}
    by_doc: dict[tuple[str, str], list[Span]] = {}
    for p in pred:
        if _key(p, typed) not in used_p:
            by_doc.setdefault((p.doc, p.field), []).append(p)
    for g in sorted(gold, key=lambda s: (s.doc, s.field, s.start, s.end)):
        if _key(g, typed) in used_g:
            continue
        cands = [p for p in by_doc.get((g.doc, g.field), []) if _lenient_ok(g, p, typed)]
        if not cands:
            continue
        best = min(cands, key=lambda p: (abs((p.end - p.start) - (g.end - g.start)), p.start))
        by_doc[(g.doc, g.field)].remove(best)
        pairs.append((g, best))
    return pairs


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 where undefined).

    >>> prf(3, 4, 6)
    {'precision': 0.75, 'recall': 0.5, 'f1': 0.6, 'tp': 3, 'pred': 4, 'gold': 6}
    """
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "pred": n_pred, "gold": n_gold}


def score(
    gold: Iterable[Span], pred: Iterable[Span], *, labels: Iterable[str] | None = None
) -> dict[str, Any]:
    """Score *pred* against *gold*: strict and lenient, typed (overall and per label) and untyped.

    Returns ``{"strict"|"lenient": {"typed": {"overall": PRF, "per_type": {label: PRF}},
    "untyped": PRF}}`` where PRF is the dict :func:`prf` returns. Predicted
    spans of documents absent from *gold* are ignored (they cannot be judged).
    """
    gold = list(gold)
    docs = {s.doc for s in gold}
    pred = [s for s in pred if s.doc in docs]
    label_set = sorted(set(labels) if labels is not None else {s.label for s in gold} | {s.label for s in pred})
    out: dict[str, Any] = {}
    for mode, matcher in (("strict", match_strict), ("lenient", match_lenient)):
        g_t, p_t = _dedupe(gold, True), _dedupe(pred, True)
        pairs = matcher(g_t, p_t, typed=True)
        per_type = {}
        for label in label_set:
            tp = sum(1 for g, _ in pairs if g.label == label)
            per_type[label] = prf(tp, sum(1 for s in p_t if s.label == label),
                                  sum(1 for s in g_t if s.label == label))
        g_u, p_u = _dedupe(gold, False), _dedupe(pred, False)
        out[mode] = {
            "typed": {"overall": prf(len(pairs), len(p_t), len(g_t)), "per_type": per_type},
            "untyped": prf(len(matcher(g_u, p_u, typed=False)), len(p_u), len(g_u)),
        }
    return out


# -- readers ---------------------------------------------------------------


def _sniff_conll(path: Path) -> bool:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                s = line.lstrip()
                return s.startswith("-DOCSTART-") or not s.startswith(("{", "["))
    return False


def read_conll_gold(path: str | PathLike[str]) -> list[GoldDoc]:
    """Read SciERC CoNLL gold: one :class:`GoldDoc` per abstract, types mapped to kg's."""
    from kg.extract.pipeline import SCIERC_TYPES
    from kg.training.convert import read_conll_file

    docs = []
    for cd in read_conll_file(path):
        spans = [
            Span(cd.id, "abstract", s, e, SCIERC_TYPES[t], cd.text[s:e])
            for s, e, t in cd.spans
            if SCIERC_TYPES.get(t)
        ]
        docs.append(GoldDoc(cd.id, {"abstract": cd.text}, spans))
    return docs


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        text = fh.read()
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON: {e.msg}", path=path, line=e.lineno) from None
        for i, rec in enumerate(data, 1):
            yield i, rec
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON: {e.msg}", path=path, line=lineno,
                             hint="expected one paper per line") from None
        if not isinstance(rec, dict):
            raise InputError("expected a JSON object", path=path, line=lineno)
        yield lineno, rec


def _spans_of(rec: Mapping[str, Any], doc_id: str, path: Path, lineno: int) -> list[Span]:
    ents = rec.get("entities", rec.get("mentions"))
    if ents is None:
        raise InputError("record has no 'entities' list", path=path, line=lineno,
                         hint="use kg's extract format: {\"id\", \"entities\": [...]}")
    spans = []
    for ent in ents:
        try:
            start, end = int(ent["start"]), int(ent["end"])
            label = str(ent["type"])
        except (KeyError, TypeError, ValueError):
            raise InputError("an entity lacks 'start', 'end' or 'type'", path=path,
                             line=lineno) from None
        spans.append(Span(doc_id, str(ent.get("field", "abstract")), start, end, label,
                          str(ent.get("text", ""))))
    return spans


def read_jsonl_gold(path: str | PathLike[str]) -> list[GoldDoc]:
    """Read gold (or predictions) in kg's extract JSONL format.

    Field texts are taken from the optional ``title`` and ``abstract`` keys.
    """
    path = Path(path)
    docs = []
    for lineno, rec in _records(path):
        doc_id = rec.get("id", rec.get("paper_id"))
        if doc_id is None:
            raise InputError("record has no 'id'", path=path, line=lineno)
        fields = {k: rec[k] for k in ("title", "abstract") if isinstance(rec.get(k), str)}
        docs.append(GoldDoc(str(doc_id), fields, _spans_of(rec, str(doc_id), path, lineno)))
    return docs


def read_gold(path: str | PathLike[str]) -> list[GoldDoc]:
    """Read gold from SciERC CoNLL or kg's extract JSONL, whichever *path* holds."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=p, hint="pass a SciERC CoNLL or kg extract JSONL file")
    return read_conll_gold(p) if _sniff_conll(p) else read_jsonl_gold(p)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def read_predictions(path: str | PathLike[str], gold: list[GoldDoc]) -> list[Span]:
    """Read predicted spans in kg's extract JSONL, matched to *gold* papers.

    A prediction belongs to the gold paper with the same id, else the same
    abstract text, else the same title (whitespace and case ignored).
    """
    preds = read_jsonl_gold(path)
    ids = {g.id for g in gold}
    by_text = {_norm(g.fields["abstract"]): g.id for g in gold if g.fields.get("abstract")}
    by_title = {_norm(g.fields["title"]): g.id for g in gold if g.fields.get("title")}
    out: list[Span] = []
    for doc in preds:
        doc_id = doc.id
        if doc_id not in ids:
            doc_id = (by_text.get(_norm(doc.fields.get("abstract", "")))
                      or by_title.get(_norm(doc.fields.get("title", ""))) or doc_id)
        out.extend(s._replace(doc=doc_id) for s in doc.spans)
    return out


# -- predictions by extraction, and a whole evaluation -----------------------


def _papers_for(gold: Sequence[GoldDoc], inputs: Sequence[Path]) -> list[Paper]:
    """Papers to run extraction on: from --input files (matched by id or title), else gold's text."""
    if inputs:
        from kg.read import read_papers

        papers = read_papers(list(inputs))
        by_id = {p.id: p for p in papers}
        by_title = {p.title.strip().lower(): p for p in papers}
        out = []
        for g in gold:
            p = by_id.get(g.id) or by_title.get(g.fields.get("title", "").strip().lower())
            if p is None:
                raise InputError(f"gold paper {g.id!r} is not in the --input files",
                                 hint="gold ids or titles must match the input papers")
            out.append(Paper(id=g.id, title=p.title, abstract=p.abstract))
        return out
    missing = [g.id for g in gold
               if not g.fields or any(s.field not in g.fields for s in g.spans)]
    if missing:
        raise InputError(f"gold paper {missing[0]!r} has no text to extract from",
                         hint="add 'title'/'abstract' keys to the gold, or pass --input papers")
    return [Paper(id=g.id, title=g.fields.get("title", ""), abstract=g.fields.get("abstract", ""))
            for g in gold]


def predict_model_only(papers: Iterable[Paper], model: str | None) -> list[Span]:
    """Spans of a bare spaCy pipeline's ``doc.ents`` (labels mapped to kg types), no kg rules.

    *model* is a pipeline name or folder (default: kg's shipped model), loaded with plain
    ``spacy.load``, so none of kg's components run.
    """
    import spacy

    from kg.errors import ModelError
    from kg.extract.pipeline import DEFAULT_MODEL, entity_type

    name = model or str(DEFAULT_MODEL)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {str(exc).splitlines()[0][:160]}",
                         hint="pass --model with an installed pipeline name or folder") from None
    texts, keys = [], []
    for p in papers:
        for field in ("title", "abstract"):
            if p.field(field):
                texts.append(p.field(field))
                keys.append((p.id, field))
    out = []
    for (pid, field), doc in zip(keys, nlp.pipe(texts, batch_size=32)):
        for e in doc.ents:
            label = entity_type(e.label_)
            if label:
                out.append(Span(pid, field, e.start_char, e.end_char, label, e.text))
    return out


def predict_kg(papers: Iterable[Paper], model: str | None) -> list[Span]:
    """Spans of kg's full extraction (model, post-NER components, rules, acronyms)."""
    from kg.extract import extract_papers

    out = []
    for ex in extract_papers(papers, model=model):
        for m in ex.mentions:
            out.append(Span(m.paper_id, m.field, m.start, m.end, m.type, m.text))
    return out


def evaluate_files(gold_path: str | PathLike[str], pred_path: str | PathLike[str] | None = None,
                   *, inputs: Sequence[str | PathLike[str]] = (), model: str | None = None,
                   model_only: bool = False) -> dict[str, Any]:
    """Score predictions against gold; run extraction when *pred_path* is None (``kg evaluate``).

    Gold: SciERC CoNLL or kg extract JSONL. Predictions: kg extract JSONL,
    matched to gold by id (else by abstract text). Without predictions, kg
    extracts from the gold's own text (or the *inputs* papers) with *model*;
    *model_only* scores the bare pipeline's entities without kg's rules.

    >>> import json, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rec = {"id": "P-1", "abstract": "We use BLEU.",
    ...        "entities": [{"start": 7, "end": 11, "type": "metric", "field": "abstract"}]}
    >>> _ = (d / "gold.jsonl").write_text(json.dumps(rec) + "\\n")
    >>> scores = evaluate_files(d / "gold.jsonl", d / "gold.jsonl")
    >>> scores["strict"]["typed"]["overall"]["f1"]
    1.0
    """
    gold_docs = read_gold(gold_path)
    if not gold_docs:
        raise InputError("no gold papers found", path=gold_path)
    gold = [s for g in gold_docs for s in g.spans]
    if pred_path is not None:
        p = Path(pred_path)
        if not p.is_file():
            raise InputError("no such file", path=p, hint="pass kg extract JSONL predictions")
        pred = read_predictions(p, gold_docs)
    else:
        papers = _papers_for(gold_docs, [Path(i) for i in inputs])
        pred = predict_model_only(papers, model) if model_only else predict_kg(papers, model)
    return score(gold, pred, labels=ENTITY_TYPES)


# -- report ----------------------------------------------------------------


def format_scores(scores: Mapping[str, Any], *, title: str | None = None) -> str:
    """Render :func:`score` output as a plain-text table (P, R, F1 in percent)."""
    lines = [title] if title else []
    lines.append(f"{'':<10}{'':<9}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}")

    def row(mode: str, name: str, d: Mapping[str, Any]) -> str:
        return (f"{mode:<10}{name:<9}{100 * d['precision']:>7.1f}{100 * d['recall']:>7.1f}"
                f"{100 * d['f1']:>7.1f}{d['gold']:>7}{d['pred']:>7}")

    for mode in ("strict", "lenient"):
        m = scores[mode]
        lines.append(row(mode, "typed", m["typed"]["overall"]))
        lines.append(row(mode, "untyped", m["untyped"]))
        for label, d in m["typed"]["per_type"].items():
            lines.append(row(mode, label, d))
    return "\n".join(lines)
