"""``kg train`` and ``kg evaluate``: train kg's NER model and measure extraction quality.

Both commands are thin shells: ``train`` calls :func:`kg.training.train`,
``evaluate`` calls :func:`evaluate_files`, which reads gold annotations,
gets predictions (from a file, or by running extraction) and scores them
with :func:`kg.evaluate.score`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kg.errors import InputError

__all__ = ["default_data_dir", "evaluate_command", "evaluate_files", "register", "train_command"]

_DATA_CANDIDATES = ("data/scierc", "/work/shared/data/scierc")


def default_data_dir() -> Path | None:
    """SciERC folder: ``$KG_SCIERC_DIR``, else ``./data/scierc``, else the shared copy."""
    env = os.environ.get("KG_SCIERC_DIR")
    if env:
        return Path(env)
    for cand in _DATA_CANDIDATES:
        if (Path(cand) / "train.txt").is_file():
            return Path(cand)
    return None


@click.command("train")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder with SciERC train.txt and dev.txt (IO-tagged CoNLL). "
                   "Default: $KG_SCIERC_DIR, ./data/scierc or /work/shared/data/scierc.")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), default=Path("training"),
              show_default=True, help="Where corpora, checkpoints and scores.json go.")
@click.option("--model-dir", type=click.Path(path_type=Path), default=None,
              help="Where to install the best pipeline. Default: kg/models/scierc in the package.")
@click.option("--no-install", is_flag=True, help="Train and score, but leave the shipped model alone.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="spaCy training config. Default: kg/training/config.cfg.")
@click.option("--holdout", type=int, default=35, show_default=True,
              help="Training abstracts held out for checkpoint selection.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of training.")
@click.option("--split-seed", type=int, default=0, show_default=True,
              help="Random seed of the hold-out split.")
@click.option("--max-steps", type=int, default=None, help="Override training.max_steps.")
@click.option("--generic", type=click.Choice(["label", "negative", "drop"]), default="label",
              show_default=True,
              help="SciERC Generic spans: a 'generic' label kg ignores, negative examples, or left out.")
@click.option("--threads", type=int, default=None, help="CPU threads for numpy/BLAS.")
@click.option("--scirex", type=click.Path(path_type=Path), default=None,
              help="SciREX train.jsonl to train on as well. Default: $KG_SCIREX, else "
                   "scirex/train.jsonl beside the SciERC folder if present.")
@click.option("--no-scirex", is_flag=True, help="Train on SciERC alone.")
@click.option("--scirex-holdout", type=int, default=40, show_default=True,
              help="SciREX documents held out for checkpoint selection.")
def train_command(data_dir: Path | None, output_dir: Path, model_dir: Path | None, no_install: bool,
                  config: Path | None, holdout: int, seed: int, split_seed: int,
                  max_steps: int | None,
                  generic: str, threads: int | None, scirex: Path | None = None,
                  no_scirex: bool = False, scirex_holdout: int = 40) -> None:
    """Train kg's scientific NER model on SciERC (CPU), score it on dev and install it.

    Converts the CoNLL data to spaCy's format, holds HOLDOUT training abstracts
    out for checkpoint selection, trains with spaCy, scores the best checkpoint
    on dev (strict and lenient, per type) into OUTPUT/scores.json, and copies
    only the final pipeline into kg/models/scierc.
    """
    from kg.training import DEFAULT_CONFIG, DEFAULT_MODEL_DIR, train

    data_dir = data_dir or default_data_dir()
    if data_dir is None:
        raise InputError("no SciERC data found", hint="pass --data DIR or set KG_SCIERC_DIR")
    target = None if no_install else (model_dir or DEFAULT_MODEL_DIR)
    if not no_scirex and scirex is None:
        from kg.training.scirex import default_scirex

        scirex = default_scirex(data_dir)
    result = train(data_dir, output_dir=output_dir, model_dir=target,
                   config=config or DEFAULT_CONFIG, holdout=holdout, seed=seed,
                   split_seed=split_seed,
                   max_steps=max_steps, generic=generic, threads=threads,
                   scirex=None if no_scirex else scirex, scirex_holdout=scirex_holdout)
    from kg.evaluate import format_scores

    click.echo(format_scores(result["dev"], title=f"dev ({data_dir / 'dev.txt'}), model alone"))
    click.echo(format_scores(result["dev_post"],
                             title="dev, model + kg_boundaries, kg_head_types, kg_gazetteer"))
    click.echo(f"training took {result['train_seconds']:.0f} s; "
               f"scores in {output_dir / 'scores.json'}")
    if target is not None:
        click.echo(f"installed pipeline in {target}")


def _papers_for(gold: Sequence[Any], inputs: Sequence[Path]):
    """Papers to run extraction on: from --input files (matched by id or title), else gold's text."""
    from kg.types import Paper

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


def predict_model_only(papers, model: str | None) -> list:
    """Spans of a bare spaCy pipeline's ``doc.ents`` (labels mapped to kg types), no kg rules."""
    import spacy

    from kg.errors import ModelError
    from kg.evaluate import Span
    from kg.training import DEFAULT_MODEL_DIR, LABEL_MAP

    name = model or str(DEFAULT_MODEL_DIR)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {str(exc).splitlines()[0][:160]}",
                         hint="pass --model with an installed pipeline name or folder") from None
    mapping = {k.lower(): v for k, v in LABEL_MAP.items() if v} | {v: v for v in LABEL_MAP.values() if v}
    texts, keys = [], []
    for p in papers:
        for field in ("title", "abstract"):
            if p.field(field):
                texts.append(p.field(field))
                keys.append((p.id, field))
    out = []
    for (pid, field), doc in zip(keys, nlp.pipe(texts, batch_size=32)):
        for e in doc.ents:
            label = mapping.get(e.label_.lower())
            if label:
                out.append(Span(pid, field, e.start_char, e.end_char, label, e.text))
    return out


def predict_kg(papers, model: str | None) -> list:
    """Spans of kg's full extraction (model, gazetteer, rules, acronyms)."""
    from kg.evaluate import Span
    from kg.extract import extract_papers

    out = []
    for ex in extract_papers(papers, model=model):
        for m in ex.mentions:
            out.append(Span(m.paper_id, m.field, m.start, m.end, m.type, m.text))
    return out


def evaluate_files(gold_path: str | os.PathLike[str], pred_path: str | os.PathLike[str] | None = None,
                   *, inputs: Sequence[str | os.PathLike[str]] = (), model: str | None = None,
                   model_only: bool = False) -> dict[str, Any]:
    """Score predictions against gold; run extraction when *pred_path* is None.

    Gold: SciERC CoNLL or kg extract JSONL. Predictions: kg extract JSONL,
    matched to gold by id (else by abstract text). Without predictions, kg
    extracts from the gold's own text (or the *inputs* papers) with *model*;
    *model_only* scores the bare pipeline's entities without kg's rules.
    """
    from kg.evaluate import read_gold, read_predictions, score
    from kg.types import ENTITY_TYPES

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


@click.command("evaluate")
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("pred", type=click.Path(path_type=Path), required=False)
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
              help="Papers to extract from when GOLD has no text (matched by id or title). Repeatable.")
@click.option("--model", default=None,
              help="spaCy pipeline name or folder to extract with. Default: kg's shipped model.")
@click.option("--model-only", is_flag=True,
              help="Score the bare pipeline's entities, without kg's gazetteer and rules.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_command(gold: Path, pred: Path | None, inputs: tuple[Path, ...], model: str | None,
                     model_only: bool, as_json: bool) -> None:
    """Score entity extraction: precision, recall and F1 against GOLD.

    GOLD is SciERC CoNLL (types mapped to kg's; Generic ignored) or kg extract
    JSONL ({"id", "title", "abstract", "entities": [{"start", "end", "type",
    "field", "text"}]} per line). PRED, if given, is kg extract JSONL;
    otherwise kg runs extraction itself on the gold's text (or on --input).

    GOLD may also be SciERC JSON (train/dev/test.json) or SciREX JSON Lines:
    kg then extracts from each abstract and prints set-level scores per
    abstract, entities and (SciERC) relations in kg's names or (SciREX) the
    evaluates_on role against the result tuples' datasets.

    Prints scores overall and per type, strict (exact span) and lenient (one
    span inside the other with the same last word), typed and untyped.
    """
    from kg.evaluate import format_scores
    from kg.setlevel import is_set_gold

    if is_set_gold(gold) and pred is None and not model_only:  # SciERC JSON or SciREX: set-level
        _evaluate_sets(gold, model, as_json)
        return
    scores = evaluate_files(gold, pred, inputs=inputs, model=model, model_only=model_only)
    if as_json:
        click.echo(json.dumps(scores, indent=2))
    else:
        what = str(pred) if pred else ("model alone" if model_only else "kg extraction")
        click.echo(format_scores(scores, title=f"{gold} vs {what}"))


def _evaluate_sets(gold: Path, model: str | None, as_json: bool) -> None:
    """Set-level entity, relation and role scores on SciERC JSON or SciREX gold (kg.setlevel)."""
    from kg import setlevel

    kind = setlevel.is_set_gold(gold)
    docs = setlevel.read_scierc_json(gold) if kind == "scierc" else setlevel.read_scirex_abstracts(gold)
    scores = setlevel.score_records(docs, setlevel.extract_records(docs, model=model))
    if as_json:
        click.echo(json.dumps(scores, indent=2))
    else:
        click.echo(setlevel.format_set_scores(scores, title=f"{gold} ({kind}, {len(docs)} abstracts) "
                                                              "vs kg extraction"))


def register(group: click.Group) -> None:
    """Add ``train`` and ``evaluate`` to kg's command group."""
    group.add_command(train_command)
    group.add_command(evaluate_command)
