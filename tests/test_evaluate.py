"""The entity scorer on tiny hand-made cases, its readers, and the `kg evaluate` command."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.evaluate import (
    Span,
    head_offsets,
    match_lenient,
    match_strict,
    prf,
    read_gold,
    read_predictions,
    score,
)

TEXT = "We apply a CRF tagger to the Penn Treebank and report F1."


def sp(start: int, end: int, label: str, doc: str = "d1", field: str = "abstract") -> Span:
    return Span(doc, field, start, end, label, TEXT[start:end])


def at(phrase: str, label: str, **kw) -> Span:
    start = TEXT.index(phrase)
    return sp(start, start + len(phrase), label, **kw)


def test_prf_counts():
    assert prf(0, 0, 0)["f1"] == 0.0
    d = prf(2, 4, 2)
    assert (d["precision"], d["recall"]) == (0.5, 1.0)
    assert d["f1"] == pytest.approx(2 * 0.5 / 1.5, abs=1e-4)


def test_strict_needs_exact_offsets_and_type():
    gold = [at("CRF tagger", "method"), at("Penn Treebank", "dataset"), at("F1", "metric")]
    pred = [at("CRF tagger", "method"), at("the Penn Treebank", "dataset"), at("F1", "method")]
    s = score(gold, pred)
    assert s["strict"]["typed"]["overall"]["tp"] == 1
    assert s["strict"]["untyped"]["tp"] == 2  # F1 counts once types are ignored
    per = s["strict"]["typed"]["per_type"]
    assert per["method"]["tp"] == 1 and per["method"]["pred"] == 2 and per["method"]["gold"] == 1
    assert per["dataset"]["recall"] == 0.0 and per["metric"]["precision"] == 0.0


def test_lenient_accepts_nested_spans_with_the_same_head():
    gold = [at("Penn Treebank", "dataset")]
    assert len(match_lenient(gold, [at("the Penn Treebank", "dataset")])) == 1
    assert len(match_lenient(gold, [at("Treebank", "dataset")])) == 1
    # inside, but a different last word: not the same entity
    assert len(match_lenient(gold, [at("Penn", "dataset")])) == 0
    # same head, wrong type: untyped only
    assert len(match_lenient(gold, [at("Treebank", "task")])) == 0
    assert len(match_lenient(gold, [at("Treebank", "task")], typed=False)) == 1


def test_lenient_is_one_to_one_and_prefers_exact():
    gold = [at("Penn Treebank", "dataset")]
    pred = [at("Treebank", "dataset"), at("Penn Treebank", "dataset")]
    pairs = match_lenient(gold, pred)
    assert len(pairs) == 1 and pairs[0][1] == at("Penn Treebank", "dataset")
    s = score(gold, pred)
    assert s["lenient"]["typed"]["overall"]["precision"] == 0.5


def test_overlapping_but_crossing_spans_never_match():
    gold = [at("CRF tagger", "method")]
    assert match_lenient(gold, [at("a CRF", "method")]) == []


def test_documents_and_fields_are_kept_apart():
    gold = [at("F1", "metric")]
    assert match_strict(gold, [at("F1", "metric", doc="d2")]) == []
    assert match_strict(gold, [at("F1", "metric", field="title")]) == []
    # predictions for papers without gold are not counted as false positives
    s = score(gold, [at("F1", "metric"), at("CRF", "method", doc="other")])
    assert s["strict"]["typed"]["overall"]["precision"] == 1.0


def test_duplicate_predictions_count_once():
    gold = [at("F1", "metric")]
    s = score(gold, [at("F1", "metric"), at("F1", "metric")])
    assert s["strict"]["typed"]["overall"]["pred"] == 1


def test_head_ignores_trailing_punctuation():
    span = Span("d", "abstract", 0, 12, "method", "CRF tagger.)")
    assert head_offsets(span) == (4, 10)


CONLL = """-DOCSTART- NN O O

We NN O O
use NN O O
BLEU NN O I-Metric
on NN O O
the NN O O
Penn NN O I-Material
Treebank NN O I-Material
. NN O O

This NN O O
approach NN O I-Generic
works NN O O
. NN O O
"""


def test_read_conll_gold_maps_types_and_drops_generic(tmp_path):
    path = tmp_path / "gold.txt"
    path.write_text(CONLL, encoding="utf-8")
    [doc] = read_gold(path)
    assert doc.fields["abstract"].startswith("We use BLEU on the Penn Treebank.")
    assert [(s.text, s.label) for s in doc.spans] == [("BLEU", "metric"), ("Penn Treebank", "dataset")]
    text = doc.fields["abstract"]
    assert all(text[s.start:s.end] == s.text for s in doc.spans)


def test_jsonl_gold_and_predictions(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "P1", "abstract": TEXT, "entities": [
        {"text": "CRF tagger", "type": "method", "start": 11, "end": 21, "field": "abstract"},
        {"text": "F1", "type": "metric", "start": 54, "end": 56},
    ]}) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    # another id but the same abstract text: matched by text
    pred.write_text(json.dumps({"id": "X", "abstract": TEXT, "entities": [
        {"text": "CRF", "type": "method", "start": 11, "end": 14, "field": "abstract"},
        {"text": "F1", "type": "metric", "start": 54, "end": 56, "field": "abstract"},
    ]}) + "\n", encoding="utf-8")
    docs = read_gold(gold)
    assert docs[0].id == "P1" and TEXT[54:56] == "F1"
    preds = read_predictions(pred, docs)
    assert {p.doc for p in preds} == {"P1"}
    s = score([s for d in docs for s in d.spans], preds)
    assert s["strict"]["typed"]["overall"]["tp"] == 1
    assert s["strict"]["typed"]["overall"]["f1"] == 0.5


def test_bad_gold_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        read_gold(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "P1", "entities": [{"start": 0}]}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_gold(bad)
    assert ":1:" in str(err.value)


def test_evaluate_command_scores_two_files(tmp_path):
    import click
    from click.testing import CliRunner

    from kg.cli.train import register

    gold = tmp_path / "gold.txt"
    gold.write_text(CONLL, encoding="utf-8")
    [doc] = read_gold(gold)
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": doc.id, "entities": [
        {"start": s.start, "end": s.end, "type": s.label, "text": s.text} for s in doc.spans
    ]}) + "\n", encoding="utf-8")

    @click.group()
    def cli():
        """Test group."""

    register(cli)
    result = CliRunner().invoke(cli, ["evaluate", str(gold), str(pred), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["strict"]["typed"]["overall"]["f1"] == 1.0
    assert scores["strict"]["typed"]["per_type"]["dataset"]["tp"] == 1
    assert CliRunner().invoke(cli, ["evaluate", "--help"]).exit_code == 0
    assert CliRunner().invoke(cli, ["train", "--help"]).exit_code == 0


def test_train_command_needs_a_data_folder(tmp_path):
    """--data has no default outside the repository: missing or wrong, the error names it."""
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["train", "--no-install", "--output", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--data is missing" in result.output, result.output
    result = CliRunner().invoke(cli, ["train", "--data", str(tmp_path), "--no-install"])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path}: no train.txt in the --data folder" in result.output


def test_predictions_match_gold_by_title_when_ids_differ(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "G1", "title": "A  Paper", "entities": [
        {"text": "F1", "type": "metric", "start": 54, "end": 56}]}) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": "P-x", "title": "a paper", "abstract": TEXT, "entities": [
        {"text": "F1", "type": "metric", "start": 54, "end": 56, "field": "abstract"}]}) + "\n",
        encoding="utf-8")
    docs = read_gold(gold)
    assert [p.doc for p in read_predictions(pred, docs)] == ["G1"]


def test_evaluate_without_text_asks_for_input(tmp_path):
    from kg.evaluate import evaluate_files

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "G1", "title": "T", "entities": [
        {"text": "F1", "type": "metric", "start": 0, "end": 2, "field": "abstract"}]}) + "\n",
        encoding="utf-8")
    with pytest.raises(InputError, match="no text"):
        evaluate_files(gold)
