"""``kg train`` and ``kg evaluate``: train kg's NER model and measure extraction quality.

Both commands are thin shells: ``train`` calls :func:`kg.training.train`,
``evaluate`` calls :func:`kg.evaluate.evaluate_files`, which reads gold
annotations, gets predictions (from a file, or by running extraction) and
scores them with :func:`kg.evaluate.score`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["evaluate_command", "register", "train_command"]


@click.command("train")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder with SciERC train.txt and dev.txt (IO-tagged CoNLL). Required.")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), default=Path("training"),
              show_default=True, help="Where corpora, checkpoints and scores.json go.")
@click.option("--model-dir", type=click.Path(path_type=Path), default=None,
              help="Where to install the best pipeline. Default: kg/models/scierc in the package.")
@click.option("--no-install", is_flag=True, help="Train and score, but leave the shipped model alone.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="spaCy training config (--backbone cnn). Default: kg/training/config.cfg.")
@click.option("--holdout", type=int, default=35, show_default=True,
              help="Training abstracts held out for checkpoint selection.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of training.")
@click.option("--split-seed", type=int, default=0, show_default=True,
              help="Random seed of the hold-out split.")
@click.option("--max-steps", type=int, default=None, help="Override training.max_steps (--backbone cnn).")
@click.option("--generic", type=click.Choice(["label", "negative", "drop"]), default="label",
              show_default=True,
              help="SciERC Generic spans: a 'generic' label kg ignores, negative examples, or left out.")
@click.option("--threads", type=int, default=None, help="CPU threads for numpy/BLAS and PyTorch.")
@click.option("--scirex", type=click.Path(path_type=Path), default=None,
              help="SciREX train.jsonl to train on as well. Default: $KG_SCIREX, else "
                   "scirex/train.jsonl beside the SciERC folder if present.")
@click.option("--no-scirex", is_flag=True, help="Train on SciERC alone.")
@click.option("--scirex-holdout", type=int, default=40, show_default=True,
              help="SciREX documents held out for checkpoint selection.")
@click.option("--scierc-weight", type=click.IntRange(min=1), default=2, show_default=True,
              help="Copies of each SciERC training abstract per epoch (weighs SciERC against SciREX).")
@click.option("--backbone", type=click.Choice(["cnn", "minilm"]), default="minilm", show_default=True,
              help="cnn: spaCy's CNN (en_core_web_sm's tok2vec, --config); minilm: all-MiniLM-L6-v2 "
                   "fine-tuned and exported to int8 ONNX (needs pip install -e '.[train-transformer]').")
@click.option("--epochs", type=click.IntRange(min=1), default=6, show_default=True,
              help="Epochs of MiniLM fine-tuning (--backbone minilm).")
@click.option("--layers", type=click.IntRange(min=1, max=6), default=3, show_default=True,
              help="MiniLM encoder layers kept (of 6); fewer run faster (--backbone minilm).")
@click.option("--average-epochs", "average", type=click.IntRange(min=0), default=1, show_default=True,
              help="Average the best epoch's weights with N epochs on each side of it; 0 keeps "
                   "the best epoch alone (--backbone minilm).")
def train_command(data_dir: Path | None, output_dir: Path, model_dir: Path | None, no_install: bool,
                  config: Path | None, holdout: int, seed: int, split_seed: int,
                  max_steps: int | None,
                  generic: str, threads: int | None, scirex: Path | None = None,
                  no_scirex: bool = False, scirex_holdout: int = 40,
                  scierc_weight: int = 2, backbone: str = "minilm", epochs: int = 6,
                  layers: int = 3, average: int = 1) -> None:
    """Train kg's scientific NER model on SciERC and SciREX (CPU), score it and install it.

    Converts the CoNLL data (and SciREX) to spaCy's format, holds HOLDOUT training
    abstracts (and SCIREX_HOLDOUT papers) out for checkpoint selection, fine-tunes
    all-MiniLM-L6-v2 (the default; pip install -e '.[train-transformer]') or trains
    spaCy's CNN (--backbone cnn), scores the best checkpoint on dev (strict and
    lenient, per type) into OUTPUT/scores.json, copies only the final pipeline into
    kg/models/scierc, and fits the relation classifier beside it.
    """
    from kg.training import DEFAULT_CONFIG, DEFAULT_MODEL_DIR, scierc_dir, train

    data_dir = scierc_dir(data_dir, option="--data")
    target = None if no_install else (model_dir or DEFAULT_MODEL_DIR)
    if not no_scirex and scirex is None:
        from kg.training.scirex import default_scirex

        scirex = default_scirex(data_dir)
    result = train(data_dir, output_dir=output_dir, model_dir=target,
                   config=config or DEFAULT_CONFIG, holdout=holdout, seed=seed,
                   split_seed=split_seed,
                   max_steps=max_steps, generic=generic, threads=threads,
                   scirex=None if no_scirex else scirex, scirex_holdout=scirex_holdout,
                   scierc_weight=scierc_weight, backbone=backbone, epochs=epochs, layers=layers,
                   average=average)
    from kg.evaluate import format_scores

    click.echo(format_scores(result["dev"], title=f"dev ({data_dir / 'dev.txt'}), model alone"))
    click.echo(format_scores(result["dev_post"],
                             title="dev, model + kg_boundaries, kg_head_types, kg_gazetteer"))
    click.echo(f"training took {result['train_seconds']:.0f} s; "
               f"scores in {output_dir / 'scores.json'}")
    if target is not None:
        click.echo(f"installed pipeline in {target}")


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
    from kg.evaluate import evaluate_files, format_scores
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
