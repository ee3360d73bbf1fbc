"""Rules that need no model: Schwartz-Hearst acronyms, generic phrases, cue-phrase roles, relations."""

from __future__ import annotations

import pytest

from kg.extract.acronyms import best_long_form, find_acronyms
from kg.extract.rules import clean_span, is_generic, relation_between, role_cues


@pytest.mark.parametrize("text, short, long", [
    ("we train recurrent neural networks (RNNs) on data", "RNNs", "recurrent neural networks"),
    ("a tractable design, piecewise-linear RNNs (PLRNNs), allows", "PLRNNs", "piecewise-linear RNNs"),
    ("Error Compensation (EC) is popular", "EC", "Error Compensation"),
    ("the large language model (LLM) era", "LLM", "large language model"),
    ("Fréchet Inception Distance (FID) falls", "FID", "Fréchet Inception Distance"),
])
def test_schwartz_hearst_finds_definitions(text, short, long):
    [a] = find_acronyms(text)
    assert (a.short, a.long) == (short, long)
    assert text[a.short_start:a.short_end] == short and text[a.long_start:a.long_end] == long


@pytest.mark.parametrize("text", [
    "results improve (see Table 2) over",
    "the method (ours) works",
    "a gain of 3% (p<0.05) is",
    "we use attention (XYZ) here",  # letters of XYZ are not in the long form
])
def test_no_false_definitions(text):
    assert find_acronyms(text) == []


def test_long_form_first_letter_starts_a_word():
    assert best_long_form("DS", "these dynamical systems") == "dynamical systems"


@pytest.mark.parametrize("phrase", ["our approach", "this paper", "the state of the art", "experiments",
                                    "our results", "the proposed method", "It", "state-of-the-art", "2"])
def test_generic_phrases_are_never_entities(phrase):
    assert is_generic(phrase)


@pytest.mark.parametrize("phrase", ["teacher forcing", "ImageNet", "BLEU score", "graph neural network"])
def test_specific_phrases_are_entities(phrase):
    assert not is_generic(phrase)


def test_clean_span_trims_determiners_and_punctuation():
    s = 'we use "the Adam optimizer", then'
    a, b = clean_span(s, 7, 28)
    assert s[a:b] == "Adam optimizer"


@pytest.mark.parametrize("sentence, target, role", [
    ("We propose FlashNorm, a normalisation layer.", "FlashNorm", "proposes"),
    ("In this paper, we introduce a new model called GraphMix.", "GraphMix", "proposes"),
    ("DeepSpeedX, a novel optimiser, is faster.", "DeepSpeedX", "proposes"),
    ("It is evaluated on CIFAR-10 and SVHN.", "SVHN", "evaluates_on"),
    ("Experiments on the WikiText-103 benchmark show gains.", "WikiText-103", "evaluates_on"),
    ("We fine-tune models using LoRA adapters.", "LoRA", "uses"),
    ("Prior work studied ResNet in depth.", "ResNet", None),
])
def test_role_cues(sentence, target, role):
    start = sentence.index(target)
    assert role_cues(sentence, start, start + len(target)) == role


def test_relation_cues():
    assert relation_between("method", "task", " is applied to ") == "used_for"
    assert relation_between("method", "dataset", " reaches 91% on ") == "evaluated_on"
    assert relation_between("method", "task", " and ") is None
    assert relation_between("task", "method", " for ") is None


def test_progress_and_process_phrases_are_generic():
    assert all(is_generic(t) for t in ["rapid progress", "process", "the processes", "remarkable success",
                                       "recent advances"])
    assert not any(is_generic(t) for t in ["process model", "Gaussian processes", "attention mechanism"])
