"""Learned relations between the entities of one sentence (the ``kg_relations`` component).

A multinomial logistic regression over hashed lexical features of an entity
pair (the two types, the words between them, their head words, the words
around them) and, when the weights have them, dense features from the
pipeline's token vectors (``doc.tensor``: the shipped NER encoder's second-layer states;
:func:`pair_dense`) predicts one of SciERC's seven
relation types in kg's names, or none. It is trained on SciERC's relation
annotations (:func:`train_relations`, run by ``kg train``) and stored beside
the NER model as ``kg_relations.npz`` (float16 weights, 0.7 MB compressed);
kg needs only numpy to apply it.

kg's names and directions: ``used_for`` (USED-FOR), ``evaluated_on``
(EVALUATE-FOR turned round: the method is the head), ``feature_of``,
``hyponym_of``, ``part_of``, and the symmetric ``compared_with`` and
``conjunction`` (head first in the text).

The component writes ``doc._.kg_relations``: ``(head_start, head_end,
tail_start, tail_end, type, confidence)`` per relation, character offsets of
two of ``doc.ents``.

>>> pair_features(["bert", "for", "parsing"], (0, 1, "method"), (2, 3, "task"))[:4]
['t=method|task', 'h1=bert', 'h2=parsing', 'b=for']
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ._component import Component

__all__ = [
    "LEARNED_RELATIONS",
    "MODEL_FILE",
    "SCIERC_RELATIONS",
    "SYMMETRIC",
    "RelationModel",
    "add_relations",
    "average_models",
    "pair_features",
    "spread_over_conjunctions",
    "train_relations",
]

#: kg's names of the learned relation types.
LEARNED_RELATIONS = ("used_for", "evaluated_on", "feature_of", "hyponym_of", "part_of",
                     "compared_with", "conjunction")
#: SciERC relation label -> (kg name, whether SciERC's first argument is kg's tail).
SCIERC_RELATIONS = {"USED-FOR": ("used_for", False), "EVALUATE-FOR": ("evaluated_on", True),
                    "FEATURE-OF": ("feature_of", False), "HYPONYM-OF": ("hyponym_of", False),
                    "PART-OF": ("part_of", False), "COMPARE": ("compared_with", False),
                    "CONJUNCTION": ("conjunction", False)}
SYMMETRIC = frozenset({"compared_with", "conjunction"})
#: Weights file in the pipeline folder.
MODEL_FILE = "kg_relations.npz"

#: Classes: none, then each type with the head first (">") or second ("<") in the text.
CLASSES = ("none",) + tuple(f"{t}{d}" for t in LEARNED_RELATIONS for d in (">", "<")
                            if not (t in SYMMETRIC and d == "<"))
_CONJUNCTION = CLASSES.index("conjunction>")
_DIM = 1 << 16
_MAX_GAP = 30  # tokens between two entities, beyond which no pair is scored

Doc.set_extension("kg_relations", default=None, force=True)


def pair_features(words: Sequence[str], first: tuple[int, int, str], second: tuple[int, int, str],
                  n_between: int = 0) -> list[str]:
    """Feature strings of the pair (*first* before *second*; token ranges and kg types).

    *words* are the sentence's lower-cased tokens; *n_between* counts the
    entities lying between the two.
    """
    s1, e1, t1 = first
    s2, e2, t2 = second
    between = words[e1:s2]
    gap = len(between)
    feats = [f"t={t1}|{t2}", f"h1={words[e1 - 1]}", f"h2={words[e2 - 1]}"]
    feats += [f"b={w}" for w in set(between)]
    feats += [f"bb={a}_{b}" for a, b in set(itertools.pairwise(between))]
    feats += [f"tb={t1}|{t2}|{w}" for w in set(between) if len(w) <= 12]
    if between:
        feats += [f"bf={between[0]}", f"bl={between[-1]}", f"bfl={between[0]}|{between[-1]}",
                  f"tbf={t1}|{t2}|{between[0]}"]
    else:
        feats.append("adjacent")
    feats += [f"gap={min(gap, 10) if gap < 10 else 10 + min(gap // 5, 4)}", f"nb={min(n_between, 3)}",
              f"pre={words[s1 - 1] if s1 else '<s>'}", f"post={words[e2] if e2 < len(words) else '</s>'}",
              f"w1={' '.join(words[s1:e1])}", f"w2={' '.join(words[s2:e2])}",
              f"th1={t1}|{words[e1 - 1]}", f"th2={t2}|{words[e2 - 1]}", "bias"]
    return feats


def pair_dense(vectors: np.ndarray, first: tuple[int, int, str], second: tuple[int, int, str]
               ) -> np.ndarray:
    """Dense features of a pair from the sentence's token vectors (``doc.tensor`` rows, from the NER).

    The mean vector of each entity, of the words between them (zeros when
    adjacent) and the elementwise product of the two entities' means.

    >>> pair_dense(np.ones((4, 2), dtype=np.float32), (0, 1, "method"), (2, 4, "task")).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    a = vectors[first[0]:first[1]].mean(axis=0)
    b = vectors[second[0]:second[1]].mean(axis=0)
    between = vectors[first[1]:second[0]]
    mid = between.mean(axis=0) if len(between) else np.zeros_like(a)
    return np.concatenate([a, b, mid, a * b]).astype(np.float32)


def _hash(feats: Iterable[str]) -> list[int]:
    return [zlib.crc32(f.encode("utf-8")) & (_DIM - 1) for f in feats]


class RelationModel:
    """Weights (features x classes) and what to do with them."""

    def __init__(self, weights: np.ndarray, threshold: float = 0.5,
                 dense: np.ndarray | None = None) -> None:
        self.weights = weights.astype(np.float32)
        self.threshold = threshold
        #: Weights of :func:`pair_dense`'s features (None: lexical features only).
        self.dense = None if dense is None else dense.astype(np.float32)

    @classmethod
    def load(cls, path: str | Path) -> RelationModel:
        data = np.load(path)
        return cls(data["weights"], float(data["threshold"]),
                   data["dense"] if "dense" in data.files else None)

    def save(self, path: str | Path) -> None:
        extra = {} if self.dense is None else {"dense": self.dense.astype(np.float16)}
        np.savez_compressed(path, weights=self.weights.astype(np.float16),
                            threshold=np.float32(self.threshold), **extra)

    def probabilities(self, rows: Sequence[list[int]], dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, one row per feature-index list (and row of *dense* features)."""
        if not rows:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        logits = np.stack([self.weights[r].sum(axis=0) for r in rows])
        if self.dense is not None and dense is not None:
            logits += dense @ self.dense
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, words: Sequence[str], ents: Sequence[tuple[int, int, str]],
                vectors: np.ndarray | None = None) -> list[tuple[int, int, str, float]]:
        """(head index, tail index, type, confidence) among *ents* (token ranges, in text order).

        *vectors* are the sentence's token vectors, for a model with dense weights.
        """
        pairs, rows, dense = [], [], []
        for i, a in enumerate(ents):
            for j in range(i + 1, len(ents)):
                b = ents[j]
                if b[0] < a[1] or b[0] - a[1] > _MAX_GAP:
                    continue
                pairs.append((i, j))
                rows.append(_hash(pair_features(words, a, b, j - i - 1)))
                if vectors is not None and self.dense is not None:
                    dense.append(pair_dense(vectors, a, b))
        probs = self.probabilities(rows, np.stack(dense) if dense else None)
        # SciERC links the items of a list to their neighbours only
        probs[[j > i + 1 for i, j in pairs], _CONJUNCTION] = 0.0
        out = []
        for (i, j), p in zip(pairs, probs):
            k = 1 + int(p[1:].argmax())  # the likeliest relation, kept when likely enough
            if p[k] < self.threshold:
                continue
            name, direction = CLASSES[k][:-1], CLASSES[k][-1]
            head, tail = (i, j) if direction == ">" else (j, i)
            out.append((head, tail, name, round(float(p[k]), 3)))
        return spread_over_conjunctions(out)


def spread_over_conjunctions(found: Sequence[tuple[int, int, str, float]]
                             ) -> list[tuple[int, int, str, float]]:
    """*found* (head, tail, type, confidence), plus each relation's copy for the conjuncts of its head.

    "A and B are used for C": when the classifier links A to C and A to B by
    ``conjunction``, B is used for C too (SciERC annotates it so: of the
    training split's relations whose head has a conjunct, nine in ten hold for
    the conjunct as well). A pair that already has a relation keeps it; a
    copy's confidence is the lower of the relation's and the weakest
    conjunction's of the list; when two relations could give a conjunct the same pair, the
    surer one does. A symmetric type (``compared_with``) spreads over both its ends' lists.
    Sorted.

    >>> spread_over_conjunctions([(0, 1, "conjunction", 0.9), (0, 2, "used_for", 0.6)])
    [(0, 1, 'conjunction', 0.9), (0, 2, 'used_for', 0.6), (1, 2, 'used_for', 0.6)]
    """
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    lists = [(h, t, conf) for h, t, name, conf in found if name == "conjunction"]
    for h, t, _ in lists:
        a, b = root(h), root(t)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    weakest: dict[int, float] = {}
    for h, t, conf in lists:
        weakest[root(h)] = min(weakest.get(root(h), 1.0), conf)
    for x in sorted({x for h, t, _ in lists for x in (h, t)}):
        groups.setdefault(root(x), []).append(x)
    related = {frozenset((h, t)) for h, t, _, _ in found}
    out = list(found)
    for h, t, name, conf in sorted(found, key=lambda f: (-f[3], f[:3])):  # surest first
        if name == "conjunction":
            continue
        # the head's list; for a symmetric type (head first in the text) the tail's too
        for x, y in ((h, t), (t, h)) if name in SYMMETRIC else ((h, t),):
            r = root(x)
            if r not in groups or root(y) == r:
                continue
            for g in groups[r]:
                if frozenset((g, y)) in related:
                    continue
                related.add(frozenset((g, y)))
                pair = (g, y) if name not in SYMMETRIC or g < y else (y, g)
                out.append((*pair, name, min(conf, weakest[r])))
    return sorted(out)


def _has_tensor(doc: Doc) -> bool:
    return doc.tensor is not None and doc.tensor.ndim == 2 and doc.tensor.shape[0] == len(doc) > 0


class Relations(Component):
    """The ``kg_relations`` pipeline component (see the module docstring)."""

    def __init__(self, name: str, model: RelationModel) -> None:
        self.name = name
        self.model = model

    def match(self, doc: Doc) -> list[tuple[int, int, int, int, str, float]]:
        found = []
        tensor = doc.tensor if self.model.dense is not None and _has_tensor(doc) else None
        for sent in doc.sents:
            ents = [e for e in doc.ents if sent.start <= e.start < sent.end]
            if len(ents) < 2:
                continue
            words = [t.lower_ for t in sent]
            spans = [(e.start - sent.start, min(e.end, sent.end) - sent.start, e.label_) for e in ents]
            vectors = None if tensor is None else tensor[sent.start:sent.end]
            for h, t, name, conf in self.model.predict(words, spans, vectors):
                a, b = ents[h], ents[t]
                found.append((a.start_char, a.end_char, b.start_char, b.end_char, name, conf))
        return found

    def set_annotations(self, doc: Doc, found: list[tuple[int, int, int, int, str, float]]) -> None:
        doc._.kg_relations = found


@Language.factory("kg_relations", assigns=["doc._.kg_relations"], requires=["doc.ents", "doc.sents"],
                  default_config={"path": None, "threshold": None})
def make_relations(nlp: Language, name: str, path: str | None, threshold: float | None) -> Relations:
    """Create ``kg_relations`` from the weights at *path*."""
    model = RelationModel.load(path)
    if threshold is not None:
        model.threshold = threshold
    return Relations(name, model)


def add_relations(nlp: Language, model_dir: str | Path) -> None:
    """Add ``kg_relations`` last when *model_dir* holds :data:`MODEL_FILE`; else nothing."""
    path = Path(model_dir) / MODEL_FILE
    if path.is_file() and "kg_relations" not in nlp.pipe_names:
        nlp.add_pipe("kg_relations", last=True, config={"path": str(path)})


# --- training -----------------------------------------------------------------------------------

def _token_vectors(doc: Doc, offsets: Sequence[tuple[int, int]]) -> np.ndarray | None:
    """One vector per corpus token (character *offsets*): the mean of the spaCy tokens' tensor rows
    it covers (or of the spaCy token holding its first character)."""
    if not _has_tensor(doc):
        return None
    at = np.zeros(len(doc.text) + 1, dtype=np.int64)
    for t in doc:
        at[t.idx:t.idx + len(t.text) + 1] = t.i
    out = np.empty((len(offsets), doc.tensor.shape[1]), dtype=np.float32)
    for k, (s, e) in enumerate(offsets):
        lo, hi = at[s], at[max(s, e - 1)]
        out[k] = doc.tensor[lo:hi + 1].mean(axis=0)
    return out


def _predicted_ents(docs: list[dict[str, Any]], nlp) -> tuple[list[list[list[tuple[int, int, str]]]],
                                                             list[np.ndarray | None]]:
    """Per doc, per sentence: the token ranges (document-wide) and types of *nlp*'s entities;
    and per doc the token vectors (see :func:`_token_vectors`)."""
    from kg.training.convert import detokenize

    texts, offsets = [], []
    for d in docs:
        text, offs = detokenize([w for sent in d["sentences"] for w in sent])
        texts.append(text)
        offsets.append(offs)
    out, vectors = [], []
    for d, doc, offs in zip(docs, nlp.pipe(texts, batch_size=32), offsets):
        starts = {s: i for i, (s, _) in enumerate(offs)}
        ends = {e: i for i, (_, e) in enumerate(offs)}
        per_sent: list[list[tuple[int, int, str]]] = []
        base = 0
        for sent in d["sentences"]:
            lo, hi = base, base + len(sent)
            per_sent.append([(starts[e.start_char], ends[e.end_char], e.label_) for e in doc.ents
                             if e.start_char in starts and e.end_char in ends
                             and lo <= starts[e.start_char] and ends[e.end_char] < hi])
            base = hi
        out.append(per_sent)
        vectors.append(_token_vectors(doc, offs))
    return out, vectors


def scierc_examples(docs: Iterable[dict[str, Any]], label_map: dict[str, str], *, nlp=None,
                    dense: list[np.ndarray] | None = None) -> tuple[list[list[int]], list[int]]:
    """Feature rows and class indexes of every entity pair of each sentence of SciERC JSON docs.

    With *dense* (a list) and an *nlp* whose NER encoder fills ``doc.tensor``, each pair's
    :func:`pair_dense` features are appended to it.

    Entities whose type *label_map* does not map (Generic) take no part, as kg never outputs them.
    With *nlp* (kg's pipeline), the pairs of its entities are examples too, labelled by the gold
    relation between the same spans (else none), so the classifier sees the spans it will get.
    """
    from kg.training.convert import PTB_UNESCAPE

    docs = list(docs)
    rows: list[list[int]] = []
    labels: list[int] = []
    cls_index = {c: i for i, c in enumerate(CLASSES)}
    predicted, vectors = _predicted_ents(docs, nlp) if nlp is not None else ([None] * len(docs),
                                                                             [None] * len(docs))
    for d, pred, vecs in zip(docs, predicted, vectors):
        base = 0
        for k, (sent, ner, rels) in enumerate(zip(d["sentences"], d["ner"], d["relations"])):
            words = [PTB_UNESCAPE.get(w, w).lower() for w in sent]
            ents = sorted({(s - base, e + 1 - base, label_map[t]) for s, e, t in ner if label_map.get(t)})
            if pred is not None:
                gold_spans = {x[:2] for x in ents}
                ents = sorted(set(ents) | {(s - base, e + 1 - base, t) for s, e, t in pred[k]
                                           if (s - base, e + 1 - base) not in gold_spans})
            gold = {}
            for s1, e1, s2, e2, t in rels:
                name, swap = SCIERC_RELATIONS[t]
                a, b = (s1 - base, e1 + 1 - base), (s2 - base, e2 + 1 - base)
                if swap:
                    a, b = b, a
                gold[(a, b)] = name
            for i, x in enumerate(ents):
                for j in range(i + 1, len(ents)):
                    y = ents[j]
                    if y[0] < x[1] or y[0] - x[1] > _MAX_GAP:
                        continue
                    fwd, rev = gold.get((x[:2], y[:2])), gold.get((y[:2], x[:2]))
                    label = f"{fwd}>" if fwd else (f"{rev}>" if rev in SYMMETRIC else f"{rev}<") if rev else "none"
                    rows.append(_hash(pair_features(words, x, y, j - i - 1)))
                    labels.append(cls_index[label])
                    if dense is not None and vecs is not None:
                        dense.append(pair_dense(vecs[base:base + len(sent)], x, y))
            base += len(sent)
    return rows, labels


def train_relations(rows: Sequence[list[int]], labels: Sequence[int], *, epochs: int = 60,
                    l2: float = 1e-4, learn_rate: float = 0.2, seed: int = 0,
                    threshold: float = 0.5, dense: np.ndarray | None = None) -> RelationModel:
    """Fit the weights with Adagrad on mini-batches (deterministic for a *seed*).

    *dense* (one row per example) adds weights for :func:`pair_dense` features.
    """
    rng = np.random.default_rng(seed)
    n_cls = len(CLASSES)
    weights = np.zeros((_DIM, n_cls), dtype=np.float64)
    accum = np.full_like(weights, 1e-8)
    if dense is not None:
        dense = np.asarray(dense, dtype=np.float64)
        dw = np.zeros((dense.shape[1], n_cls))
        daccum = np.full_like(dw, 1e-8)
    y = np.asarray(labels)
    order = np.arange(len(rows))
    for _ in range(epochs):
        rng.shuffle(order)
        for lo in range(0, len(order), 64):
            batch = order[lo:lo + 64]
            cols = np.concatenate([np.asarray(rows[i]) for i in batch])
            lens = np.array([len(rows[i]) for i in batch])
            starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
            logits = np.add.reduceat(weights[cols], starts, axis=0)
            if dense is not None:
                logits += dense[batch] @ dw
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(batch)), y[batch]] -= 1.0
            if dense is not None:
                dgrad = dense[batch].T @ p + l2 * dw
                daccum += dgrad ** 2
                dw -= learn_rate * dgrad / np.sqrt(daccum)
            grad_rows = np.repeat(p, lens, axis=0)
            uniq, inv = np.unique(cols, return_inverse=True)
            grad = np.zeros((len(uniq), n_cls))
            np.add.at(grad, inv, grad_rows)
            grad += l2 * weights[uniq]
            accum[uniq] += grad ** 2
            weights[uniq] -= learn_rate * grad / np.sqrt(accum[uniq])
    return RelationModel(weights.astype(np.float32), threshold,
                         None if dense is None else dw.astype(np.float32))


def average_models(models: Sequence[RelationModel]) -> RelationModel:
    """One model whose weights are the mean of *models*' (same threshold as the first).

    For these linear models that is the mean of their logits: an ensemble at the cost of
    one model.

    >>> a = RelationModel(np.ones((2, 3)), 0.2)
    >>> average_models([a, RelationModel(np.zeros((2, 3)), 0.5)]).weights.tolist()
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """
    dense = None if models[0].dense is None else np.mean([m.dense for m in models], axis=0)
    return RelationModel(np.mean([m.weights for m in models], axis=0), models[0].threshold, dense)


def fit_scierc(train_json: str | Path, dest: str | Path, *, holdout: int = 35, split_seed: int = 0,
               epochs: int = 10, threshold: float = 0.15, learn_rate: float = 0.02, dense: bool = True,
               seeds: int = 5, nlp=None) -> dict[str, int]:
    """Train on SciERC ``train.json`` less the *holdout* abstracts ``kg train`` keeps back; save.

    *nlp* (kg's pipeline) adds its own entities' pairs as examples (see :func:`scierc_examples`),
    and with *dense* its encoder's vectors as features (:func:`pair_dense`). The saved
    weights are the mean of *seeds* fits with seeds 0, 1, ... (:func:`average_models`): one
    fit's score moves by 0.01-0.02 with its seed.
    """
    import json

    from kg.extract.pipeline import SCIERC_TYPES
    from kg.training.train import split_holdout

    with Path(train_json).open(encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    train_docs, _ = split_holdout(docs, holdout, seed=split_seed)
    vectors: list[np.ndarray] | None = [] if dense and nlp is not None else None
    rows, labels = scierc_examples(train_docs, {k: v for k, v in SCIERC_TYPES.items() if v}, nlp=nlp,
                                   dense=vectors)
    stacked = np.stack(vectors) if vectors else None
    average_models([train_relations(rows, labels, epochs=epochs, threshold=threshold,
                                    learn_rate=learn_rate, dense=stacked, seed=seed)
                    for seed in range(seeds)]).save(Path(dest) / MODEL_FILE)
    return {"pairs": len(rows), "related": sum(1 for y in labels if y), "seeds": seeds}


# --- into kg's records --------------------------------------------------------------------------

def learned_relations(paper_id: str, mentions: Sequence[Any], learned: Sequence[Any]) -> list[Any]:
    """RelationMentions from a field's ``doc._.kg_relations`` (*learned*: empty, or a 1-tuple of them)."""
    from kg.types import RelationMention

    if not learned or not learned[0]:
        return []
    by_offsets = {(m.start, m.end): m for m in mentions}
    out = []
    for hs, he, ts, te, name, conf in learned[0]:
        head, tail = by_offsets.get((hs, he)), by_offsets.get((ts, te))
        if head is not None and tail is not None and head is not tail:
            out.append(RelationMention(paper_id, name, head, tail, "", head.sentence, conf))
    return out


#: Which cue-pattern relations join the learned ones: "all", "missing" (only for a pair the
#: classifier left unrelated) or "none". Chosen on the SciERC hold-out (bench/extraction.py).
CUES = "none"


def merge_relations(cued: list[Any], learned: list[Any]) -> list[Any]:
    """The learned relations, plus cue-pattern ones as :data:`CUES` says (all when none were learned)."""
    if not learned or CUES == "all":
        return cued + learned if learned else cued
    if CUES == "none":
        return learned
    related = {frozenset((id(r.head), id(r.tail))) for r in learned}
    return learned + [r for r in cued if frozenset((id(r.head), id(r.tail))) not in related]


def relation_records(relations: Iterable[Any], mentions: Sequence[Any]) -> list[dict[str, Any]]:
    """``kg extract``'s ``relations``: ``{"head", "tail", "type", "confidence"}`` with head and tail
    indexes into *mentions* (the record's ``entities``), in text order, one per pair and type.

    >>> from kg.types import Mention, RelationMention
    >>> a = Mention("P", "abstract", 0, 4, "BERT", "method", "s", 0)
    >>> b = Mention("P", "abstract", 9, 12, "NER", "task", "s", 0)
    >>> relation_records([RelationMention("P", "used_for", a, b, "", "s", 0.9)], [a, b])
    [{'head': 0, 'tail': 1, 'type': 'used_for', 'confidence': 0.9}]
    """
    index = {m: i for i, m in enumerate(mentions)}
    out: dict[tuple[int, int, str], dict[str, Any]] = {}
    for r in relations:
        h, t = index.get(r.head), index.get(r.tail)
        if h is None or t is None or h == t:
            continue
        rec = out.get((h, t, r.type))
        if rec is None or r.confidence > rec["confidence"]:
            out[(h, t, r.type)] = {"head": h, "tail": t, "type": r.type, "confidence": r.confidence}
    return [out[k] for k in sorted(out, key=lambda k: (min(k[0], k[1]), max(k[0], k[1]), k[2]))]
