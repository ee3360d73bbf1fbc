"""kg_names with the shipped pipeline: junk spans, coordinations, known types, case variants."""

from __future__ import annotations

import re

import pytest

from kg.extract import extract_papers, load_pipeline
from kg.extract.names import is_hardware, is_junk, split_coordination
from kg.normalize import canonical_key, normalise
from kg.types import Mention, Paper


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def ents(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents]


def test_names_in_pipeline_order(nlp):
    names = nlp.pipe_names
    assert names.index("kg_gazetteer") < names.index("kg_names") < names.index("kg_rules")


def test_known_names_get_their_type(nlp):
    found = dict(ents(nlp, "We train with Adam on MS-COCO and report FID and ROC-AUC against BM25."))
    assert found.keys() >= {"Adam", "MS-COCO", "FID", "ROC-AUC", "BM25"}, found
    assert found["Adam"] == "method" and found["MS-COCO"] == "dataset"
    assert found["FID"] == "metric" and found["ROC-AUC"] == "metric" and found["BM25"] == "method"


def test_coordinations_split_and_junk_dropped(nlp):
    found = ents(nlp, "We use METR-LA and PEMS-BAY, CNN/DailyMail and XSum, with a 300x speedup "
                      "and 3.7B parameters.")
    texts = [t for t, _ in found]
    assert {"CNN/DailyMail", "XSum"} <= set(texts)
    assert not any("300x" in t or "3.7B" in t or " and " in t for t in texts)
    # the shipped pipeline's kg_names on spans a model might give
    doc = nlp.make_doc("We use METR-LA and PEMS-BAY with Adam on MS-COCO.")
    doc.ents = [doc.char_span(7, 27, label="dataset"), doc.char_span(33, 48, label="method")]
    names = nlp.get_pipe("kg_names")
    got = [(e.text, e.label_) for e in names(doc).ents]
    assert got == [("METR-LA", "dataset"), ("PEMS-BAY", "dataset"), ("Adam", "method"), ("MS-COCO", "dataset")]


def test_junk_rules():
    assert is_junk("23x") and is_junk('B\\"ohm') and is_junk("MNIST < CIFAR10 < Imagenet")
    assert not is_junk("GPT-4") and not is_junk("ImageNet-1k")
    assert split_coordination("Adam and GeLU", {"adam"}) == [(0, 4), (9, 13)]


def test_case_and_plural_variants_merge():
    ms = [Mention("P", "abstract", 0, len(t), t, "method", t, 0)
          for t in ["GELU", "GeLU", "DART-MATH", "DART-Math", "NNGP", "NNGPs", "model size", "model sizes"]]
    assert len(normalise(ms).entities) == 4


def test_a_model_word_after_an_acronym_or_version_merges():
    ms = [Mention("P", "abstract", 0, len(t), t, "method", t, 0)
          for t in ["LLMs", "LLM models", "T5", "T5 architecture", "hidden Markov model",
                    "hidden Markov", "ML models", "ML"]]
    assert len(normalise(ms).entities) == 6  # LLM, T5, the two Markov names, "ML models", "ML"
    # a model of a task, a field, a dimension or a disease is no task, field, dimension or disease
    for a, b in [("NER models", "NER"), ("3D models", "3D"), ("2D network", "2D"), ("COVID-19 models", "COVID-19"),
                 ("VQA models", "VQA"), ("TTS models", "TTS")]:
        assert canonical_key(a) != canonical_key(b), a


def test_extract_papers_uses_the_table():
    paper = Paper(id="P-1", title="Pretraining at scale",
                  abstract="We pretrain on ImageNet-1k with AdamW and evaluate on MS-COCO.")
    (result,) = list(extract_papers([paper]))
    got = {(m.text, m.type) for m in result.mentions if m.field == "abstract"}
    assert ("ImageNet-1k", "dataset") in got and ("MS-COCO", "dataset") in got


def _through_names(nlp, text, spans):
    """kg_names of the shipped pipeline on *spans* ((text, label) a model might give) in *text*."""
    doc = nlp.make_doc(text)
    ents = []
    for t, label in spans:
        a = re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text).start()
        ents.append(doc.char_span(a, a + len(t), label=label))
    doc.ents = ents
    return [(e.text, e.label_) for e in nlp.get_pipe("kg_names")(doc).ents]


def test_formulas_and_shot_counts_are_junk(nlp):
    assert all(is_junk(t) for t in ["k=1", "n = 10", "p<0.05", "x^2", "shot", "5-shot", "k-shot setting",
                                    "5-way 1-shot"])
    assert not any(is_junk(t) for t in ["En->De", "few-shot learning", "k-NN", "zero-shot CLIP"])
    # a bracket left open inside a word is a cut formula ("O(N" of "O(N sqrt(kappa))")
    assert is_junk("O(N") and is_junk("O(N/L") and is_junk("f[x")
    assert not any(is_junk(t) for t in ["O(N)", "BERT (large)", "AP[50]"])
    text = "With k=1 and p<0.05 in the 5-shot setting, each shot helps few-shot learning."
    got = _through_names(nlp, text, [("k=1", "method"), ("p<0.05", "metric"), ("5-shot setting", "task"),
                                     ("shot", "dataset"), ("few-shot learning", "task")])
    assert got == [("few-shot learning", "task")]


def test_lone_adjectives_and_adverbs_are_junk(nlp):
    assert all(is_junk(t) for t in ["complex", "robust", "significantly", "scalable", "classical and novel"])
    assert not any(is_junk(t) for t in ["anomaly", "parsing", "complex networks", "Robust PCA"])
    assert "complex" not in [t for t, _ in ents(nlp, "The task is complex, and our method is robust.")]
    text = "Our approach is complex but scales to anomaly detection."
    got = _through_names(nlp, text, [("complex", "method"), ("anomaly detection", "task")])
    assert got == [("anomaly detection", "task")]


def test_hardware_is_a_concept(nlp):
    found = dict(ents(nlp, "We train on 8 A100 GPUs and deploy the detector on edge devices."))
    assert found.get("A100 GPUs") == "concept", found
    assert all(t == "concept" for text, t in found.items() if is_hardware(text)), found


#: (text, spans with the type a model might give, the types kg_names leaves them with)
RETYPED = {
    "hardware is a concept": (
        "Training on a V100 and a TPU v3 pod, we run inference on mobile phones with a GPU.",
        {"V100": "method", "TPU v3 pod": "dataset", "mobile phones": "dataset", "GPU": "method"},
        {"V100": "concept", "TPU v3 pod": "concept", "mobile phones": "concept", "GPU": "method"}),
    # a lowercase device word is never a method; a lone "GPU" may be GPU computing (SciREX: a method)
    "a device word is no method": (
        "We deploy on edge devices and phones with a GPU.",
        {"edge devices": "dataset", "phones": "method", "GPU": "method"},
        {"edge devices": "concept", "phones": "concept", "GPU": "method"}),
    "task names are not datasets": (
        "Few-shot learning and anomaly detection are evaluated on the MVTec AD dataset.",
        {"Few-shot learning": "dataset", "anomaly detection": "dataset", "MVTec AD dataset": "dataset"},
        {"Few-shot learning": "task", "anomaly detection": "task", "MVTec AD dataset": "dataset"}),
    "a common word is no dataset": (
        "Agents update their beliefs from images in the Penn Treebank and the corpus.",
        {"beliefs": "dataset", "images": "dataset", "Penn Treebank": "dataset", "corpus": "dataset"},
        {"beliefs": "concept", "images": "concept", "Penn Treebank": "dataset", "corpus": "dataset"}),
    "theorems and bounds are no datasets or methods": (
        "By Brenier's theorem the IBP bounds give an upper bound on ImageNet.",
        {"Brenier's theorem": "dataset", "IBP bounds": "dataset", "upper bound": "method",
         "ImageNet": "dataset"},
        {"Brenier's theorem": "concept", "IBP bounds": "concept", "upper bound": "concept",
         "ImageNet": "dataset"}),
    "laws, hypotheses and hyperparameters are no datasets or methods": (
        "Scaling laws and the exponential time hypothesis fix the hyperparameters of ResNet.",
        {"Scaling laws": "method", "exponential time hypothesis": "method", "hyperparameters": "dataset",
         "ResNet": "method"},
        {"Scaling laws": "concept", "exponential time hypothesis": "concept", "hyperparameters": "concept",
         "ResNet": "method"}),
}


def test_names_glued_by_hyphens_are_no_coordination(nlp):
    assert split_coordination("Divide-and-Conquer Fusion") == [(0, 25)]
    assert split_coordination("trial-and-error") == [(0, 15)]
    text = "We use Divide-and-Conquer Fusion."
    assert _through_names(nlp, text, [("Divide-and-Conquer Fusion", "method")]) == \
        [("Divide-and-Conquer Fusion", "method")]


def test_a_trailing_adverb_is_no_part_of_a_name(nlp):
    text = "We study the NTK numerically and train ResNet efficiently on an anomaly dataset."
    got = _through_names(nlp, text, [("NTK numerically", "concept"), ("ResNet efficiently", "method")])
    assert got == [("NTK", "concept"), ("ResNet", "method")]
    assert _through_names(nlp, "It is information-theoretically optimal.",
                          [("information-theoretically", "metric")]) == []
    # nouns in -ly are no adverbs
    text = "We study graph homophily and general matrix multiply kernels."
    got = _through_names(nlp, text, [("graph homophily", "concept"), ("general matrix multiply", "method")])
    assert got == [("graph homophily", "concept"), ("general matrix multiply", "method")]
    assert _through_names(nlp, "a family of Gaussian anomaly", [("Gaussian anomaly", "concept")]) == \
        [("Gaussian anomaly", "concept")]


def test_the_names_of_a_list_share_the_type_the_table_gives_the_rest(nlp):
    text = "We evaluate on MNIST, FashionMNIST and CIFAR10, and compare BERT and Zorblax."
    got = dict(_through_names(nlp, text, [("MNIST", "dataset"), ("FashionMNIST", "method"),
                                          ("CIFAR10", "dataset"), ("BERT", "method"), ("Zorblax", "dataset")]))
    assert got["FashionMNIST"] == "dataset"
    assert got["Zorblax"] == "dataset"  # two names are no list: the model's type stays
    # hardware and theory stay concepts in a list of methods
    text = "We train ResNet, VGG and A100 GPUs with DenseNet, ViT and Scaling Laws."
    got = dict(_through_names(nlp, text, [("ResNet", "method"), ("VGG", "method"), ("A100 GPUs", "dataset"),
                                          ("DenseNet", "method"), ("ViT", "method"), ("Scaling Laws", "dataset")]))
    assert got["A100 GPUs"] == "concept" and got["Scaling Laws"] == "concept", got


def test_cited_authors_are_no_entities(nlp):
    text = "Lottery tickets [Frankle and Carbin, 2018] beat EF21 (Richtarik et al., 2021) on ImageNet (2009 release)."
    got = _through_names(nlp, text, [("Frankle", "dataset"), ("Carbin", "method"), ("EF21", "method"),
                                     ("Richtarik", "method"), ("ImageNet", "dataset")])
    assert got == [("EF21", "method"), ("ImageNet", "dataset")]
    # only the part of a bracket that cites: "(LLMs; Brown et al., 2020)" defines LLMs; sizes are no years
    text = "Large language models (LLMs; Brown et al., 2020) and Zorblax (Transformer encoder, 2048 units) and BERT."
    got = dict(_through_names(nlp, text, [("LLMs", "method"), ("Brown", "method"),
                                          ("Transformer encoder", "method")]))
    assert "LLMs" in got and "Transformer encoder" in got and "Brown" not in got, got
    # the name table's matches inside a citation go too
    assert "BERT" not in dict(ents(nlp, "Attention (see Vaswani et al., 2017 for BERT) helps."))


@pytest.mark.parametrize("case", sorted(RETYPED))
def test_kg_names_retypes_model_spans(nlp, case):
    text, given, expected = RETYPED[case]
    assert dict(_through_names(nlp, text, list(given.items()))) == expected


def test_modern_names_are_known(nlp):
    found = dict(ents(nlp, "We tune Mixtral with DPO and QLoRA, pretrain on C4 and evaluate on MT-Bench "
                           "and Kinetics-400."))
    assert found.get("DPO") == "method" and found.get("QLoRA") == "method", found
    assert found.get("C4") == "dataset" and found.get("MT-Bench") == "dataset", found
    assert found.get("Kinetics-400") == "dataset", found
    assert "C4" not in dict(ents(nlp, "A C4.5 decision tree is trained."))


def test_long_forms_take_their_acronyms_type(nlp):
    found = dict(ents(nlp, "We study low-rank adaptation (LoRA) of large language models and reinforcement "
                           "learning from human feedback (RLHF)."))
    assert found.get("low-rank adaptation") == "method", found
    assert found.get("reinforcement learning from human feedback") == "method", found
    assert found.get("LoRA") == "method" and found.get("RLHF") == "method", found


def test_a_clause_before_an_acronym_is_not_joined(nlp):
    texts = [t for t, _ in ents(nlp, "Reinforcement Learning algorithms that learn from human feedback (RLHF) "
                                     "need to be efficient.")]
    assert not any("that learn" in t for t in texts), texts
