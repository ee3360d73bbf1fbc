"""Which encoder layer's states the relation classifier should read: typed relation F1 per layer.

    python bench/relation_layers.py [--model PATH] [--split inner,holdout,dev]

The MiniLM NER's ONNX model hands ``kg_relations`` one layer's states (its ``hidden`` output,
``doc.tensor``; :data:`kg.training.transformer.RELATION_LAYER`). For the embeddings and each
encoder layer this makes a copy of the pipeline whose ``hidden`` output is that layer's states
(the same int8 weights, so the same entities), refits the shipped classifier recipe on them
(:func:`bench.relations.score_variant`: dense features, rate 0.02, threshold 0.15, five seeds
averaged) and scores ``kg extract``'s records with :mod:`kg.setlevel`:

- **inner**: fit on 220 of the 280 SciERC training abstracts, score on the other 60: the choice;
- **holdout**: fit on the 280, score on the 35 held-out abstracts: the confirmation;
- **dev**: the same fit, scored on SciERC dev (reported only).

Needs the ``onnx`` package (``pip install -e '.[train-transformer]'``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def layer_names(graph) -> dict[str, str]:
    """Layer name ("embeddings", "layer 1", ...) -> the graph tensor holding its states."""
    from kg.training.transformer import layer_outputs

    return {f"layer {k}" if k else "embeddings": v for k, v in layer_outputs(graph).items()}


def with_hidden(pipeline: Path, layer: str, dest: Path) -> Path:
    """A copy of *pipeline* at *dest* whose ONNX ``hidden`` output holds *layer*'s states."""
    import onnx
    from onnx import helper

    shutil.copytree(pipeline, dest)
    path = dest / "kg_transformer_ner" / "model.onnx"
    model = onnx.load(path)
    graph = model.graph
    source = layer_names(graph)[layer]
    if source != "hidden":
        for node in graph.node:  # the tensor now called "hidden" keeps flowing under another name
            node.output[:] = ["hidden_was" if o == "hidden" else o for o in node.output]
            node.input[:] = ["hidden_was" if i == "hidden" else i for i in node.input]
        graph.node.append(helper.make_node("Identity", [source], ["hidden"]))
    onnx.save(model, path)
    return dest


def main(argv: list[str] | None = None) -> int:
    import onnx
    from relations import SCIERC, score_variant, splits

    from kg.extract.pipeline import load_pipeline
    from kg.training.train import DEFAULT_MODEL_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR),
                        help="pipeline folder (default: the shipped one)")
    parser.add_argument("--split", default="inner,holdout,dev",
                        help="comma-separated: inner, holdout, dev")
    args = parser.parse_args(argv)
    names = args.split.split(",")
    data = splits()
    data["dev"] = (data["holdout"][0],
                   [json.loads(line) for line in (SCIERC / "dev.json").open(encoding="utf-8")])
    layers = list(layer_names(onnx.load(Path(args.model) / "kg_transformer_ner" / "model.onnx",
                                           load_external_data=False).graph))
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for layer in layers:
            folder = str(with_hidden(Path(args.model), layer, Path(tmp) / layer.replace(" ", "")))
            nlp = load_pipeline(folder)
            rows[layer] = {n: score_variant(nlp, folder, *data[n], True, 0.02, 0.15, 5) for n in names}
            print(layer, {n: rows[layer][n][2] for n in names}, flush=True)
    print(f"{'states read':<14} " + " ".join(f"{n + ' P/R/F1':>20}" for n in names))
    for layer, row in rows.items():
        print(f"{layer:<14} " + " ".join(f"{'/'.join(f'{x:.3f}' for x in row[n]):>20}" for n in names))
    print(f"typed relation F1, set-level per abstract on kg extract records; model {args.model}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
