"""Convert SciERC in IO-tagged CoNLL form into spaCy training data.

SciERC (Luan et al., EMNLP 2018) is distributed here as one token per line,
``TOKEN NN O TAG`` with ``TAG`` either ``O`` or ``I-<Type>``; ``-DOCSTART-``
opens an abstract and a blank line ends a sentence. Tokens are PTB-escaped
(``-LRB-`` for ``(``).

The conversion rebuilds readable text (no space before ``,`` or ``)``), so
the whitespace features the tokenizer and ``tok2vec`` see at training time
match real abstracts, turns runs of same-typed tokens into character spans,
and aligns them to spaCy's own tokens with :meth:`spacy.tokens.Doc.char_span`.

>>> from kg.training.convert import read_conll
>>> docs = list(read_conll(["-DOCSTART- NN O O", "", "We NN O O",
...                         "use NN O O", "BLEU NN O I-Metric", ". NN O O"]))
>>> docs[0].text, docs[0].spans
('We use BLEU.', [(7, 11, 'Metric')])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from kg.errors import InputError
from kg.extract.pipeline import SCIERC_TYPES

__all__ = [
    "PTB_UNESCAPE",
    "ConllDoc",
    "convert_file",
    "detokenize",
    "read_conll",
    "read_conll_file",
    "to_spacy_docs",
]

#: PTB bracket escapes and what they stand for.
PTB_UNESCAPE: dict[str, str] = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}

_NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "}", "%", "?", "!", "'s", "n't", "'re", "'ve"}
_NO_SPACE_AFTER = {"(", "[", "{"}


@dataclass
class ConllDoc:
    """One abstract: its text, sentence offsets and typed character spans.

    ``spans`` holds ``(start, end, scierc_type)`` triples, ``sents`` the
    ``(start, end)`` of each sentence, both as character offsets into ``text``.
    """

    id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    sents: list[tuple[int, int]] = field(default_factory=list)


def detokenize(tokens: list[str], *, no_space_before: frozenset[str] | set[str] = _NO_SPACE_BEFORE,
               no_space_after: frozenset[str] | set[str] = _NO_SPACE_AFTER) -> tuple[str, list[tuple[int, int]]]:
    """Join PTB tokens into text; return it and each token's character offsets.

    >>> detokenize(["-LRB-", "CRF", "-RRB-", "models", ",", "too"])[0]
    '(CRF) models, too'
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    prev = None
    for raw in tokens:
        tok = PTB_UNESCAPE.get(raw, raw)
        if prev is not None and tok not in no_space_before and prev not in no_space_after:
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
        prev = tok
    return "".join(parts), offsets


#: A tag: ``O``, or ``I-<Type>`` / ``B-<Type>`` (group 1 is the type).
_TAG = re.compile(r"O|[IB]-(.+)")


def read_conll(
    lines: Iterable[str], *, source: str = "<conll>"
) -> Iterator[ConllDoc]:
    """Yield one :class:`ConllDoc` per ``-DOCSTART-`` block of SciERC CoNLL lines.

    Neighbouring tokens with the same type form one span (IO tags); a ``B-``
    tag always starts a new span. Abstracts are numbered ``<source>#<n>``.
    Sentences are separated by one space in ``text``.
    """
    doc_sents: list[list[tuple[str, str | None, bool]]] = []
    sent: list[tuple[str, str | None, bool]] = []
    n_docs = 0

    def flush() -> ConllDoc | None:
        nonlocal doc_sents, n_docs
        if sent:
            doc_sents.append(list(sent))
            sent.clear()
        if not doc_sents:
            return None
        doc = _build_doc(f"{source}#{n_docs}", doc_sents)
        n_docs += 1
        doc_sents = []
        return doc

    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            doc = flush()
            if doc is not None:
                yield doc
            continue
        if not line.strip():
            if sent:
                doc_sents.append(list(sent))
                sent.clear()
            continue
        cols = line.split()
        if len(cols) < 2:
            raise InputError(
                f"expected 'TOKEN ... TAG', got {line!r}",
                path=source,
                line=lineno,
                hint="SciERC CoNLL has four space-separated columns",
            )
        tag = _TAG.fullmatch(cols[-1])
        if tag is None:
            raise InputError(
                f"unknown tag {cols[-1]!r}",
                path=source,
                line=lineno,
                hint="tags must be O, I-<Type> or B-<Type>",
            )
        sent.append((cols[0], tag.group(1), cols[-1].startswith("B-")))
    doc = flush()
    if doc is not None:
        yield doc


def _build_doc(doc_id: str, sents: list[list[tuple[str, str | None, bool]]]) -> ConllDoc:
    texts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    sent_offsets: list[tuple[int, int]] = []
    base = 0
    for sent in sents:
        text, offsets = detokenize([t for t, _, _ in sent])
        cur: list[int] | None = None  # [start, end] of the open span
        cur_type: str | None = None
        for (tok, typ, is_b), (s, e) in zip(sent, offsets):
            if typ is not None and typ == cur_type and not is_b and cur is not None:
                cur[1] = e
                continue
            if cur is not None and cur_type is not None:
                spans.append((base + cur[0], base + cur[1], cur_type))
            cur, cur_type = ([s, e], typ) if typ is not None else (None, None)
        if cur is not None and cur_type is not None:
            spans.append((base + cur[0], base + cur[1], cur_type))
        sent_offsets.append((base, base + len(text)))
        texts.append(text)
        base += len(text) + 1
    return ConllDoc(id=doc_id, text=" ".join(texts), spans=spans, sents=sent_offsets)


def read_conll_file(path: str | PathLike[str]) -> list[ConllDoc]:
    """Read a SciERC CoNLL file; raise :class:`~kg.errors.InputError` if it is missing."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=p, hint="pass a SciERC CoNLL file such as train.txt")
    with p.open(encoding="utf-8") as fh:
        return list(read_conll(fh, source=str(p)))


def to_spacy_docs(
    docs: Iterable[ConllDoc],
    nlp,
    *,
    label_map: dict[str, str | None] | None = None,
    generic_key: str | None = None,
    stats: dict[str, int] | None = None,
):
    """Turn :class:`ConllDoc` records into spaCy ``Doc`` objects with ``doc.ents`` set.

    Labels go through *label_map* (default :data:`~kg.extract.pipeline.SCIERC_TYPES`); types mapped to
    ``None`` are dropped, or, when *generic_key* is given, stored in
    ``doc.spans[generic_key]`` (e.g. as the ner's ``incorrect_spans_key``).
    Spans that do not fall on token boundaries are expanded to the tokens that
    hold them; *stats* counts ``expanded`` and ``dropped`` spans.
    """
    from spacy.util import filter_spans

    label_map = SCIERC_TYPES if label_map is None else label_map
    stats = stats if stats is not None else {}
    for cd in docs:
        doc = nlp.make_doc(cd.text)
        ents = []
        negatives = []
        for start, end, typ in cd.spans:
            label = label_map.get(typ, typ)
            span = doc.char_span(start, end, label=label or "generic")
            if span is None:
                span = doc.char_span(start, end, label=label or "generic", alignment_mode="expand")
                stats["expanded"] = stats.get("expanded", 0) + 1
            if span is None:
                stats["dropped"] = stats.get("dropped", 0) + 1
                continue
            (ents if label else negatives).append(span)
        kept = filter_spans(ents)
        stats["dropped"] = stats.get("dropped", 0) + len(ents) - len(kept)
        doc.ents = kept
        if generic_key is not None:
            doc.spans[generic_key] = negatives
        for s, _ in cd.sents:
            tok = doc.char_span(s, s + 1, alignment_mode="expand")
            if tok is not None:
                for t in doc:
                    t.is_sent_start = t.i == tok.start if t.i == tok.start else t.is_sent_start
        yield doc


def convert_file(
    src: str | PathLike[str],
    dest: str | PathLike[str],
    *,
    nlp=None,
    label_map: dict[str, str | None] | None = None,
    generic_key: str | None = None,
    docs: list[ConllDoc] | None = None,
) -> dict[str, int]:
    """Convert SciERC CoNLL *src* (or the given *docs*) into a ``.spacy`` DocBin at *dest*.

    Returns counts: ``docs``, ``ents``, ``expanded``, ``dropped``.
    """
    import spacy
    from spacy.tokens import DocBin

    nlp = nlp if nlp is not None else spacy.blank("en")
    records = docs if docs is not None else read_conll_file(src)
    stats: dict[str, int] = {"expanded": 0, "dropped": 0}
    db = DocBin(store_user_data=False)
    n_ents = 0
    for doc in to_spacy_docs(records, nlp, label_map=label_map, generic_key=generic_key, stats=stats):
        n_ents += len(doc.ents)
        db.add(doc)
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(dest)
    return {"docs": len(records), "ents": n_ents, **stats}
