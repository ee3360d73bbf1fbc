"""``kg_transformer_ner``: a fine-tuned MiniLM token classifier, run with ONNX Runtime on CPU.

The component reads a folder with ``model.onnx`` (a BERT-style encoder with a token
classification head, two outputs: ``logits`` and ``hidden``, the states of one encoder layer,
the second in the shipped model), the word-piece tokenizer's
``tokenizer.json`` and ``cfg.json`` (the BIO label list). For each document it feeds the
spaCy tokens as pre-split words, labels each word by its first word piece, turns the BIO
labels into ``doc.ents``, and sets ``doc.tensor`` to each word's mean ``hidden`` state, which
:mod:`kg.extract.relations` uses as its dense features. Documents longer than the encoder's
512 pieces are cut at the full stop nearest their middle, again and again until each part
fits (one call per part); a single word longer than that (a long formula, an unspaced CJK
sentence) is truncated, and the words past the limit get no entity.

It needs ``onnxruntime`` and ``tokenizers`` (kg's dependencies), no PyTorch, and runs on one
thread per process, so results do not depend on the machine's core count.

>>> import spacy, kg.extract.transformer                      # doctest: +SKIP
>>> nlp = spacy.load("kg/models/scierc")                      # doctest: +SKIP
>>> [(e.text, e.label_) for e in nlp("We train BERT on SQuAD.").ents]   # doctest: +SKIP
[('BERT', 'method'), ('SQuAD', 'dataset')]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..errors import ModelError

__all__ = ["GROW", "MAX_PIECES", "TransformerNER", "decode_spans", "glued_words", "split_words", "viterbi"]

#: Word pieces per encoder call, [CLS] and [SEP] not counted.
MAX_PIECES = 510
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CFG_FILE = "cfg.json"


#: A span grows over the words after it whose summed I- probabilities reach this (decode_spans).
GROW = 0.3


def decode_spans(probs: np.ndarray, labels: list[str], glued: list[bool] | None = None, *,
                 grow: float | None = GROW) -> list[tuple[int, int, str]]:
    """Spans from per-word label probabilities (rows: words; columns: *labels*, BIO).

    Boundaries come from the likeliest valid tag sequence (:func:`viterbi`: an I-X only
    after a B-X or I-X), not from each word's likeliest tag alone, so one unsure word
    ("O" 0.5 against "I-method" 0.45) does not cut a span in two. The constraint is typed:
    a word whose votes go to another type continues the span only if its I- tag of the
    span's type is likelier, over the sequence, than ending the span there (the untyped
    constraint, an I- of any type after any B- or I-, scored 0.02-0.03 lower on every
    corpus). With *glued* (per word: it is joined to the word before by a hyphen with no
    white space, as in "pre - training"), a span never ends or starts inside such a
    hyphenated word: it grows to the whole word, and spans that then touch merge. Each
    span takes the type with the most probability summed over its words, so split votes
    that the sequence keeps together ("silent" concept, "speech" dataset, "interface"
    concept) give one span of one type, and a span the hyphen rule grew gets one type.

    With *grow*, a span then takes in each following word (up to the next span) whose
    I- tags of all types sum to *grow* or more, even where O is likelier. The model often
    tags a modifier B- and splits its head noun's I- votes between types, so that O wins
    the head ("raw" of "raw text": O 0.54 against I-dataset 0.32 and I-concept 0.07);
    a span that ends on its modifier is nearly always wrong.

    >>> labels = ["O", "B-method", "I-method", "B-task", "I-task"]
    >>> p = np.array([[.1, .6, 0, .3, 0], [.1, 0, .3, 0, .6], [.1, 0, .6, 0, .3], [.9, 0, 0, 0, .1]])
    >>> decode_spans(p, labels)
    [(0, 3, 'method')]
    >>> r = np.array([[.1, .8, 0, .1, 0], [.5, 0, .3, 0, .2]])    # raw text
    >>> decode_spans(r, labels), decode_spans(r, labels, grow=None)
    ([(0, 2, 'method')], [(0, 1, 'method')])
    >>> q = np.array([[0, 0, 0, .9, 0], [1, 0, 0, 0, 0], [0, .8, 0, .1, 0]])   # pre - training
    >>> decode_spans(q, labels), decode_spans(q, labels, glued=[False, True, True])
    ([(0, 1, 'task'), (2, 3, 'method')], [(0, 3, 'task')])
    """
    kinds = [lab.split("-", 1) if lab != "O" else ("O", "") for lab in labels]
    types = sorted({t for _, t in kinds if t})
    col = {t: [j for j, (_, u) in enumerate(kinds) if u == t] for t in types}
    best = viterbi(probs, labels)
    bounds: list[list[int]] = []
    start = None
    for i, j in enumerate(best):
        bio = kinds[int(j)][0]
        if bio == "O":
            if start is not None:
                bounds.append([start, i])
            start = None
        elif bio == "B" or start is None:
            if start is not None:
                bounds.append([start, i])
            start = i
    if start is not None:
        bounds.append([start, len(best)])
    if grow is not None and bounds:
        inside = [j for j, (bio, _) in enumerate(kinds) if bio == "I"]
        mass = probs[:, inside].sum(axis=1)
        for k, b in enumerate(bounds):
            stop = bounds[k + 1][0] if k + 1 < len(bounds) else len(best)
            while b[1] < stop and mass[b[1]] >= grow:
                b[1] += 1
    if glued is not None:
        grown: list[list[int]] = []
        for s, e in bounds:
            while s > 0 and glued[s]:
                s -= 1
            while e < len(glued) and glued[e]:
                e += 1
            if grown and s < grown[-1][1]:
                grown[-1][1] = max(grown[-1][1], e)
            else:
                grown.append([s, e])
        bounds = grown
    spans: list[tuple[int, int, str]] = []
    for s, e in bounds:
        mass = {t: float(probs[s:e][:, col[t]].sum()) for t in types}
        spans.append((s, e, max(types, key=lambda t: mass[t])))
    return spans


def viterbi(probs: np.ndarray, labels: list[str]) -> list[int]:
    """The likeliest tag sequence (column indexes of *probs*) in which an I-X tag follows only
    a B-X or an I-X (and never starts the sequence), the per-word probabilities taken as
    independent. When each word's likeliest tag already makes a valid sequence, that is
    the answer (and no search is needed); ties go to the lower column. Probabilities that
    are not numbers (NaN) count as zero.

    >>> labels = ["O", "B-method", "I-method"]
    >>> viterbi(np.array([[.1, .9, 0], [.5, 0, .45], [.1, 0, .9]]), labels)   # argmax: 1, 0, 2
    [1, 2, 2]
    """
    n = len(probs)
    if not n:
        return []
    inside = [lab.startswith("I-") for lab in labels]
    kind = [lab.split("-", 1)[1] if lab != "O" else "" for lab in labels]
    # allowed[a, b]: tag b may follow tag a
    allowed = np.array([[not inside[b] or (a_kind == kind[b] and a_kind != "")
                         for b in range(len(labels))] for a_kind in kind])
    probs = np.nan_to_num(np.asarray(probs, dtype=np.float64), nan=0.0)
    best = probs.argmax(axis=1)
    if not inside[best[0]] and allowed[best[:-1], best[1:]].all():
        return best.tolist()
    trans = np.where(allowed, 0.0, -np.inf)
    logp = np.log(np.maximum(probs, 1e-12))
    score = np.where(inside, -np.inf, logp[0])
    back = np.zeros((n, len(labels)), dtype=np.int64)
    cols = np.arange(len(labels))
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = prev = cand.argmax(axis=0)
        score = cand[prev, cols] + logp[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def glued_words(doc: Doc) -> list[bool]:
    """Per token: joined to the token before by a hyphen with no white space ("pre-training"
    is "pre", "-", "training": False, True, True).

    >>> import spacy
    >>> glued_words(spacy.blank("en")("pre-training and re - ranking"))
    [False, True, True, False, False, False, False]
    """
    return [i > 0 and not doc[i - 1].whitespace_ and (t.text == "-" or doc[i - 1].text == "-")
            for i, t in enumerate(doc)]


def split_words(n_pieces, words: list[str], limit: int = MAX_PIECES) -> list[tuple[int, int]]:
    """Word ranges whose piece counts (``n_pieces(words[a:b])``) fit in *limit*: a range too
    long is cut after the full stop nearest its middle (else at the middle), recursively.

    >>> split_words(len, list("ab.cd.ef"), limit=4)
    [(0, 3), (3, 6), (6, 8)]
    """
    out: list[tuple[int, int]] = []

    def cut(a: int, b: int) -> None:
        if b - a <= 1 or n_pieces(words[a:b]) <= limit:
            out.append((a, b))
            return
        mid = (a + b) // 2
        stops = [i for i in range(a, b) if words[i] == "."]
        at = min(stops, key=lambda i: abs(i - mid)) + 1 if stops else mid
        if at >= b:  # the only full stop ends the range
            at = mid
        cut(a, at)
        cut(at, b)

    cut(0, len(words))
    return out


class TransformerNER:
    """The ``kg_transformer_ner`` component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "kg_transformer_ner") -> None:
        self.name = name
        self.tags: list[str] = []  # the classifier's BIO tags, "O" first
        self._session = None
        self._tokenizer = None
        self._path: Path | None = None  # the folder its files were loaded from

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity labels it predicts (spaCy lists them in the pipeline's meta)."""
        return tuple(sorted({t.split("-", 1)[1] for t in self.tags if t != "O"}))

    # --- loading ------------------------------------------------------------------------------

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> TransformerNER:
        path = Path(path)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are kg dependencies
            raise ModelError(f"the transformer NER needs {exc.name}",
                             hint="pip install onnxruntime tokenizers") from None
        for f in (MODEL_FILE, TOKENIZER_FILE, CFG_FILE):
            if not (path / f).is_file():
                raise ModelError(f"{path / f} is missing", hint="reinstall kg or retrain the model")
        self.tags = json.loads((path / CFG_FILE).read_text(encoding="utf-8"))["labels"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path / MODEL_FILE), options,
                                             providers=["CPUExecutionProvider"])
        self._path = path
        tok = Tokenizer.from_file(str(path / TOKENIZER_FILE))
        tok.no_truncation()
        tok.no_padding()
        self._tokenizer = tok
        return self

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        import shutil

        if self._path is None:
            raise ModelError("kg_transformer_ner has no model to save",
                             hint="load one with from_disk (spacy.load does) before saving")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._path.resolve() != path.resolve():
            for f in (MODEL_FILE, TOKENIZER_FILE, CFG_FILE):
                shutil.copyfile(self._path / f, path / f)

    # --- running ------------------------------------------------------------------------------

    def _pieces(self, words: list[str]) -> int:
        return len(self._tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False).ids)

    def predict(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Tag probabilities (columns: ``self.tags``) and hidden vectors, one row per word;
        words without word pieces (white space) get "O" and zeros."""
        if self._session is None:
            raise ModelError("kg_transformer_ner has no model loaded",
                             hint="load the pipeline from its folder with spacy.load")
        probs = np.zeros((len(words), len(self.tags)), dtype=np.float32)
        probs[:, 0] = 1.0
        hidden = None
        if not words:
            return probs, np.zeros((0, 0), dtype=np.float32)
        whole = self._tokenizer.encode(words, is_pretokenized=True)
        if len(whole.ids) <= MAX_PIECES + 2:
            chunks = [(0, len(words), whole)]
        else:
            chunks = [(a, b, self._tokenizer.encode(words[a:b], is_pretokenized=True))
                      for a, b in split_words(self._pieces, words)]
        for a, b, enc in chunks:
            ids_list, word_ids = enc.ids, enc.word_ids
            if len(ids_list) > MAX_PIECES + 2:  # one word too long to cut ("H(CH2)(CH2)...", CJK)
                ids_list = ids_list[:MAX_PIECES + 1] + ids_list[-1:]  # keep [SEP]
                word_ids = word_ids[:MAX_PIECES + 1] + [None]  # the words cut off stay "O"
            ids = np.asarray([ids_list], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                     "token_type_ids": np.zeros_like(ids)}
            logits, states = self._session.run(["logits", "hidden"], feeds)
            logits = logits[0] - logits[0].max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            if hidden is None:
                hidden = np.zeros((len(words), states.shape[-1]), dtype=np.float32)
            wid = np.asarray([-1 if w is None else w for w in word_ids], dtype=np.int64)
            keep = wid >= 0
            pieces, states = wid[keep], states[0][keep]
            sums = np.zeros((b - a, states.shape[-1]), dtype=np.float32)
            np.add.at(sums, pieces, states)
            counts = np.bincount(pieces, minlength=b - a).astype(np.float32)
            hidden[a:b] = sums / np.maximum(counts, 1)[:, None]
            present, first = np.unique(pieces, return_index=True)
            probs[a + present] = p[keep][first]
        return probs, hidden

    def __call__(self, doc: Doc) -> Doc:
        probs, hidden = self.predict([t.text for t in doc])
        spans = []
        for s, e, typ in decode_spans(probs, self.tags, glued_words(doc)):
            while s < e and doc[s].is_space:
                s += 1
            while e > s and doc[e - 1].is_space:
                e -= 1
            if s < e:
                spans.append(Span(doc, s, e, label=typ))
        doc.ents = spans
        if hidden.shape[1]:
            doc.tensor = hidden
        return doc


@Language.factory("kg_transformer_ner", assigns=["doc.ents", "doc.tensor"], default_config={})
def make_transformer_ner(nlp: Language, name: str) -> TransformerNER:
    return TransformerNER(nlp, name)
