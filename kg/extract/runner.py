"""The extraction runner: papers in, one :class:`Extraction` (plain mentions and relations) per paper out.

:func:`extract_papers` runs the pipeline from :func:`~kg.extract.pipeline.load_pipeline`
over titles and abstracts, in this process or in forked worker processes, and
:func:`assemble` turns each paper's spaCy spans into :class:`~kg.types.Mention` and
:class:`~kg.types.RelationMention` records. No spaCy object leaves this module.

>>> from kg.types import Paper
>>> paper = Paper(id="P-1", title="EControl", abstract="We propose EControl, a novel method.")
>>> result = next(extract_papers([paper]))               # doctest: +SKIP
>>> [(m.text, m.role) for m in result.mentions]          # doctest: +SKIP
[('EControl', 'proposes'), ('EControl', 'proposes')]
"""

from __future__ import annotations

import itertools
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ArgumentError, InputError, KGError
from ..types import Mention, Paper, RelationMention
from .pipeline import load_pipeline
from .relations import learned_relations, merge_relations
from .rules import relation_between

__all__ = ["SOURCE_CONFIDENCE", "Extraction", "assemble", "doc_spans", "extract_papers"]

#: Prior confidence of a mention by what found it. spaCy's greedy NER gives no
#: per-span probability, so kg states how much it trusts each source instead.
SOURCE_CONFIDENCE = {"gazetteer": 0.95, "acronym": 0.9, "model": 0.8, "rule": 0.6}

FIELDS = ("title", "abstract")


@dataclass(frozen=True)
class Extraction:
    """What extraction found in one paper."""

    paper: Paper
    mentions: tuple[Mention, ...]
    relations: tuple[RelationMention, ...]


# A field reduced to plain data: (ents, sentences, roles, acronyms); picklable for workers.
FieldSpans = tuple[
    tuple[tuple[int, int, str, str], ...],  # (start, end, type, source)
    tuple[tuple[int, int], ...],  # sentence bounds
    dict[tuple[int, int], str],  # roles by span
    tuple[tuple[str, str, int, int], ...],  # acronyms (short, long, short_start, long_start)
    tuple[tuple[int, int, int, int, str, float], ...],  # learned relations (kg.extract.relations)
]


def doc_spans(doc: Any) -> FieldSpans:
    """Reduce a processed spaCy Doc to plain tuples (the only thing that leaves spaCy)."""
    ents = tuple((e.start_char, e.end_char, e.label_, e.ent_id_ or "model") for e in doc.ents)
    sents = tuple((s.start_char, s.end_char) for s in doc.sents)
    roles = dict(doc._.kg_roles or {})
    acros = tuple(tuple(a) for a in (doc._.kg_acronyms or ()))
    learned = tuple(doc._.kg_relations or ())  # kg.extract.relations; empty without its weights
    return ents, sents, roles, acros, learned  # type: ignore[return-value]


def _sentence_of(sents: tuple[tuple[int, int], ...], start: int) -> tuple[int, int]:
    for s, e in sents:
        if s <= start < e:
            return s, e
    return 0, sents[-1][1] if sents else 0


def assemble(paper: Paper, fields: dict[str, FieldSpans]) -> Extraction:
    """Turn a paper's per-field spans into Mentions and Relations.

    Acronyms defined anywhere in the paper apply to both fields: each use of a
    short form becomes a mention whose ``long_form`` names the definition.
    """
    defs: dict[str, str] = {}
    for name in FIELDS:
        for short, long, _, _ in fields[name][3]:
            defs.setdefault(short, long)
    mentions: list[Mention] = []
    relations: list[RelationMention] = []
    for name in FIELDS:
        text = paper.field(name)
        ents, sents, roles = fields[name][:3]
        spans = list(ents)
        covered = [(s, e) for s, e, _, _ in spans]
        # uses of a defined short form that NER did not tag
        for short, long in defs.items():
            typ = next((t for s, e, t, _ in spans if text[s:e] in (short, long)
                        or f"({short})" in text[s:e]), "concept")  # or a name defining it inside
            for m in re.finditer(r"(?<![\w-])" + re.escape(short) + r"(?![\w-])", text):
                if not any(s < m.end() and m.start() < e for s, e in covered):
                    spans.append((m.start(), m.end(), typ, "acronym"))
                    covered.append((m.start(), m.end()))
        spans.sort()
        field_mentions: list[Mention] = []
        sentences: dict[int, str] = {}  # one string per sentence, shared by its mentions
        for start, end, etype, source in spans:
            surface = text[start:end]
            s0, s1 = _sentence_of(sents, start)
            if s0 not in sentences:
                sentences[s0] = text[s0:s1]
            conf_source = source if source in SOURCE_CONFIDENCE else "rule"
            # A gazetteer hit keeps the gazetteer's confidence but is labelled "rule" in the
            # Mention (and so in kg extract and the graph's evidence): the label is part of
            # the output contract, see kg.types.Mention.
            m = Mention(
                paper_id=paper.id,
                field=name,
                start=start,
                end=end,
                text=surface,
                type=etype,
                sentence=sentences[s0],
                sent_start=s0,
                source="rule" if source == "gazetteer" else source,
                confidence=SOURCE_CONFIDENCE[conf_source],
                role=roles.get((start, end), "mentions"),
                long_form=defs.get(surface),
            )
            field_mentions.append(m)
        mentions.extend(field_mentions)
        relations.extend(merge_relations(_relations(paper.id, text, field_mentions),
                                         learned_relations(paper.id, field_mentions, fields[name][4:])))
    return Extraction(paper, tuple(mentions), tuple(relations))


def _relations(paper_id: str, text: str, mentions: list[Mention]) -> list[RelationMention]:
    out: list[RelationMention] = []
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sent_start, []).append(m)
    for group in by_sentence.values():
        for i, head in enumerate(group):
            for tail in group[i + 1:]:
                if tail.start < head.end:
                    continue
                between = text[head.end:tail.start]
                rel = relation_between(head.type, tail.type, between)
                if rel:
                    out.append(RelationMention(paper_id, rel, head, tail, between.strip(), head.sentence))
    return out


def extract_papers(
    papers: Iterable[Paper],
    *,
    nlp: Any = None,
    model: str | None = None,
    batch_size: int = 64,
    n_process: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Extraction]:
    """Run extraction over *papers*, yielding one :class:`Extraction` per paper, in order.

    Parameters
    ----------
    papers : iterable of Paper
    nlp : spacy.Language, optional
        A pipeline from :func:`load_pipeline`; loaded from *model* if omitted.
    model : str, optional
        Pipeline name or path passed to :func:`load_pipeline`.
    batch_size : int
        Texts per ``nlp.pipe`` batch.
    n_process : int
        Worker processes. Each one runs the whole extraction on chunks of
        papers (whole ``nlp.pipe`` batches) and sends back plain mentions, so
        the result is the same as in one process. Needs the ``fork`` start
        method (Linux, macOS); elsewhere extraction runs in one process.
    progress : callable, optional
        Called with 1 after each paper.

    Raises
    ------
    ArgumentError
        *batch_size* or *n_process* below 1.
    """
    if batch_size < 1:
        raise ArgumentError(f"batch_size must be at least 1, got {batch_size}")
    if n_process < 1:
        raise ArgumentError(f"n_process must be at least 1, got {n_process}")
    if nlp is None:
        nlp = load_pipeline(model)
    papers = _checked(papers, nlp.max_length)
    if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
        return _extract_forked(papers, nlp, batch_size, n_process, progress)
    return _extract_here(papers, nlp, batch_size, progress)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _checked(papers: Iterable[Paper], max_length: int) -> Iterator[Paper]:
    """*papers*, each checked before spaCy sees it: a text over the pipeline's ``max_length`` or
    holding a lone surrogate is an :class:`InputError` naming the paper's first source, not a
    traceback from spaCy or from the writers (the readers skip such records; this guards papers
    made in Python)."""
    for paper in papers:
        for name in FIELDS:
            text = paper.field(name)
            problem = None
            if len(text) > max_length:
                problem = f"{name} is {len(text):,} characters, over the pipeline's limit of {max_length:,}"
            elif _SURROGATE.search(text):
                problem = f"{name} holds a lone surrogate, which is not a character"
            if problem:
                path, line = None, None
                if paper.sources:
                    where, _, number = paper.sources[0].rpartition(":")
                    path, line = (where, int(number)) if number.isdigit() else (paper.sources[0], None)
                raise InputError(f"paper {paper.id}'s {problem}", path=path, line=line,
                                 hint="shorten or fix the record")
        yield paper


def _extract_here(papers: Iterable[Paper], nlp: Any, batch_size: int,
                  progress: Callable[[int], None] | None) -> Iterator[Extraction]:
    pending: dict[int, tuple[Paper, dict[str, FieldSpans]]] = {}
    order: list[int] = []

    def texts() -> Iterator[tuple[str, tuple[int, str]]]:
        for index, paper in enumerate(papers):
            pending[index] = (paper, {})
            order.append(index)
            for name in FIELDS:
                yield paper.field(name), (index, name)

    next_out = 0
    for doc, (index, name) in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size):
        pending[index][1][name] = doc_spans(doc)
        while next_out in pending and len(pending[next_out][1]) == len(FIELDS):
            paper, fields = pending.pop(next_out)
            next_out += 1
            if progress is not None:
                progress(1)
            yield assemble(paper, fields)


# --- several processes --------------------------------------------------------------------------
# spaCy's own ``n_process`` ships whole Docs back to the main process (slow to
# unpack, and kg's extension attributes do not survive Doc.to_bytes). Instead,
# forked workers inherit the loaded pipeline, run the whole extraction on a
# chunk of papers and return plain (mentions, relations) per paper.

_FORKED_NLP: Any = None

#: ``nlp.pipe`` batches per chunk sent to a worker.
BATCHES_PER_CHUNK = 2


def _extract_chunk(papers: list[Paper], batch_size: int) -> list[tuple[tuple[Mention, ...], ...]]:
    """Runs in a forked worker: (mentions, relations) per paper; the paper itself stays home."""
    return [(x.mentions, x.relations) for x in _extract_here(papers, _FORKED_NLP, batch_size, None)]


def _extract_forked(papers: Iterable[Paper], nlp: Any, batch_size: int, n_process: int,
                    progress: Callable[[int], None] | None) -> Iterator[Extraction]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _FORKED_NLP
    # whole batches per chunk (two texts per paper), so documents are batched as in one process
    chunk = max(1, batch_size // 2) * BATCHES_PER_CHUNK
    it = iter(papers)
    window: deque = deque()
    _FORKED_NLP = nlp  # inherited by the forked workers
    pool = ProcessPoolExecutor(max_workers=n_process, mp_context=multiprocessing.get_context("fork"))
    try:
        def refill() -> None:
            while len(window) < 2 * n_process:
                part = list(itertools.islice(it, chunk))
                if not part:
                    return
                window.append((part, pool.submit(_extract_chunk, part, batch_size)))

        refill()
        while window:
            part, future = window.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                raise KGError("an extraction worker process died",
                              hint="it may have run out of memory; try fewer --workers") from None
            refill()
            for paper, (mentions, relations) in zip(part, results):
                if progress is not None:
                    progress(1)
                yield Extraction(paper, mentions, relations)
    finally:
        for _, future in window:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        _FORKED_NLP = None
