"""Names: drop junk spans, split coordinated names, and type known names (``kg_names``).

Runs after the gazetteer and before ``kg_rules``. For each entity:

- **junk** is dropped: numbers, ratios and sizes ("300x", "3.7B", "23x"), spans
  with a LaTeX escape, a comparison or an assignment (``B\\"ohm``, "MNIST < CIFAR10",
  "k=1", "p<0.05"; not a metric at a threshold, "AP@IoU=0.5"), shot counts
  ("shot", "5-shot setting": settings, not entities), a lone adjective or adverb
  ("complex", "significantly"; see :func:`is_modifier`),
  and clause-like spans (a determiner inside, "CLIP text encoder conditions
  the U-Net denoiser", or a preposition or a bare adjective at the end,
  "linear probe atop", "classical and novel");
- **coordinations of names** are split: "METR-LA and PEMS-BAY",
  "CNN/DailyMail and XSum", "X/Y" where both sides are names, unless the
  whole is a known name ("CNN/DailyMail"), and so are two names joined by a
  preposition ("Adam on MS-COCO", "SVM for NER");
- **hardware** is a ``concept``, never a data set ("A100 GPUs", "edge devices",
  "mobile phones", "TPU v3 pod", "V100"); a lone "GPU" the model calls a method
  keeps it (GPU computing: SciREX annotates it so);
- a data set named like a task ("few-shot learning", "anomaly detection": a task
  head word at the end) is a ``task``, and one lowercase common word ("beliefs")
  a ``concept`` (a data set has a name), unless the table knows the name;
- an acronym's **long form** the model cut in pieces is joined, and a long form
  takes its short form's type ("low-rank adaptation (LoRA)", "reinforcement
  learning from human feedback (RLHF)": methods);
- **known names** take their type from kg's typed name table
  (``kg/data/names.jsonl``: names of SciREX's salient entities typed by
  their annotations, and a short list of well-known names), matched as the
  gazetteer matches (acronyms case-exactly, other names in any case), and the
  table adds the known names the model missed (never a junk span: "ComplEx"
  matched in any case is the adjective in "the task is complex").

>>> nlp = load_names_demo()
>>> doc = nlp.make_doc("We use METR-LA and PEMS-BAY with a 300x speedup.")
>>> doc.ents = [doc.char_span(7, 27, label="dataset"), doc.char_span(35, 39, label="method")]
>>> [(e.text, e.label_) for e in nlp.get_pipe("kg_names")(doc).ents]
[('METR-LA', 'dataset'), ('PEMS-BAY', 'dataset')]
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..normalize import inner_definition
from ._component import Component
from .gazetteer import Gazetteer, is_case_sensitive, read_gazetteer

__all__ = ["DEFAULT_NAMES", "WELL_KNOWN", "Names", "add_names", "is_hardware", "is_junk", "is_modifier", "is_name", "split_coordination"]

#: kg's typed name table.
DEFAULT_NAMES = Path(__file__).resolve().parent.parent / "data" / "names.jsonl"

#: Well-known names the SciREX table lacks or types wrongly (general knowledge), first in the table.
WELL_KNOWN: tuple[tuple[str, str], ...] = (
    ("ROC-AUC", "metric"), ("AUROC", "metric"), ("AUC", "metric"), ("FID", "metric"),
    ("Inception Score", "metric"), ("MS-COCO", "dataset"), ("MS COCO", "dataset"),
    ("ImageNet-1k", "dataset"), ("ImageNet-1K", "dataset"), ("ImageNet-21k", "dataset"),
    ("ImageNet-22k", "dataset"), ("Adam", "method"), ("AdamW", "method"), ("SGD", "method"),
    ("MoCo", "method"), ("SimCLR", "method"), ("GELU", "method"), ("ReLU", "method"),
    ("Graph WaveNet", "method"), ("BM25", "method"), ("Stable Diffusion", "method"),
    ("LoRA", "method"), ("RLHF", "method"), ("PPO", "method"), ("CLIP", "method"),
)

_NUMERIC = re.compile(r"^[~≈<>]?\s*[\d.,]+\s*(?:[x×%]|[kKMBT]|[kKMG]B|ms|s)?$")
#: A comparison or assignment ("k=1", "p<0.05", "n = 10"); not an arrow ("En->De").
_FORMULA = re.compile(r"^[^@]*(?:[=≤≥≠≈]|(?<![-<])[<>](?![-=>]))|[{}^]")  # "AP@IoU=0.5" is a metric
#: A shot or way count ("shot", "5-shot", "k-shot", "5-way"): a setting, not an entity.
_SHOT = re.compile(r"^(?:(?:\d+|[kKnN]|one|two|three|five|ten|few|zero|many|low)[-\s]?)?(?:shots?|ways?)$",
                   re.IGNORECASE)
_SETTING_WORDS = {"setting", "settings", "regime", "regimes", "scenario", "scenarios", "case", "cases",
                  "evaluation", "protocol", "split", "splits", "task", "tasks"}
#: Adjectives frequent in abstracts that make no entity alone ("complex", "robust"); other lone
#: adjectives and adverbs are known by their suffix (see :func:`is_modifier`).
_ADJECTIVES = frozenset([
    "complex", "simple", "robust", "novel", "efficient", "effective", "accurate", "scalable", "generic",
    "general", "classical", "modern", "traditional", "conventional", "existing", "recent", "large",
    "small", "big", "tiny", "huge", "deep", "shallow", "fast", "slow", "high", "low", "good", "better",
    "best", "bad", "worse", "strong", "weak", "hard", "easy", "difficult", "challenging", "important",
    "significant", "promising", "competitive", "comparable", "superior", "inferior", "powerful",
    "popular", "practical", "theoretical", "empirical", "expensive", "cheap", "lightweight", "diverse",
    "rich", "poor", "noisy", "clean", "real", "synthetic", "unified", "holistic", "joint", "key",
    "main", "major", "minor", "crucial", "critical", "essential", "fundamental", "similar", "different",
    "various", "several", "multiple", "single", "specific", "common", "rare", "new", "old", "previous",
    "prior", "current", "future", "early", "late", "overall", "final", "initial", "additional",
    "extensive", "comprehensive", "systematic", "rigorous", "principled", "naive", "sophisticated",
    "intuitive", "interpretable", "explainable", "reliable", "trustworthy", "safe", "secure", "fair",
    "optimal", "suboptimal", "precise", "consistent", "stable", "unstable", "dynamic", "static",
    "adaptive", "flexible", "generalizable", "transferable", "versatile", "scarce", "abundant",
    "limited", "unlimited", "open", "closed", "public", "private", "available", "relevant", "able",
    "unable", "possible", "impossible", "feasible", "infeasible", "automatic", "manual"])
#: Nouns with an adjective's or adverb's suffix.
_SUFFIX_NOUNS = frozenset([
    "family", "anomaly", "assembly", "supply", "ally", "poly", "monopoly", "rally", "jelly", "belly",
    "fly", "butterfly", "firefly", "july", "lily", "reply", "table", "cable", "variable", "vegetable",
    "syllable", "timetable", "bible", "crucible", "handful", "wireless"])
_MODIFIER_SUFFIXES = ("ly", "ous", "ful", "less", "able", "ible")
#: Hardware: a device word at the end ("A100 GPUs", "edge devices", "TPU v3 pod") or a
#: well-known accelerator model ("V100", "RTX 3090", "TPU v4", "Jetson Nano").
_DEVICE_HEADS = frozenset([
    "gpu", "gpus", "tpu", "tpus", "cpu", "cpus", "npu", "npus", "fpga", "fpgas", "asic", "asics",
    "hardware", "accelerator", "accelerators", "chip", "chips", "processor", "processors", "device",
    "devices", "phone", "phones", "smartphone", "smartphones", "microcontroller", "microcontrollers",
    "laptop", "laptops", "pod", "pods"])
_ACCELERATOR = re.compile(
    r"^(?:nvidia\s+)?(?:tesla\s+|geforce\s+|quadro\s+)?(?:[ahpv]100|a800|h800|a6000|a40|a10g?|k80|p40|t4|"
    r"l40s?|(?:rtx|gtx)\s?\d{3,4}(?:\s?ti)?|titan(?:\s?(?:x|v|xp|rtx))?|tpu\s?v\d|jetson\s\w+|"
    r"raspberry\s+pi(?:\s\d)?)$", re.IGNORECASE)
_INNER_DETERMINER = re.compile(r"\s(?:the|a|an|this|these|those|its|their|our)\s", re.IGNORECASE)
_TRAILING = {"atop", "of", "for", "with", "by", "on", "in", "to", "from", "via", "over", "under",
             "between", "across", "through", "than", "and", "or", "novel", "new", "classical",
             "proposed", "existing", "various", "different", "several", "rapid", "based"}
#: What joins the items of a coordination; a word glued by hyphens ("Divide-and-Conquer") joins none.
_COORD = re.compile(r"\s*(?:,\s*(?:and|or)?|(?<![\w-])(?:and|or|on|in|with|using|via|for|from|over|against|versus|"
                    r"vs\.?)(?![\w-])|&)\s*")
#: A bracket, and a citation in one of its ";" parts: "(Richtarik et al., 2021)", "[Frankle and Carbin,
#: 2018]", the second part of "(LLMs; Brown et al., 2020)"; names in it are authors.
_BRACKET = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_CITES = re.compile(r"\bet al\.|,\s*(?:19|20)\d\d[a-z]?\s*$")


def _citations(text: str) -> list[tuple[int, int]]:
    """Character ranges of the citing parts of *text*'s brackets."""
    out = []
    for m in _BRACKET.finditer(text):
        start = m.start(1)
        for part in m.group(1).split(";"):
            if _CITES.search(part):
                out.append((start, start + len(part)))
            start += len(part) + 1
    return out


def _cited(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def is_name(text: str) -> bool:
    """Name-like: a capital after the first character, or a digit and a letter (ResNet, GPT-4).

    >>> is_name("PEMS-BAY"), is_name("XSum"), is_name("graph networks"), is_name("T5")
    (True, True, False, True)
    """
    t = text.strip()
    if len(t) < 2 or not any(c.isalpha() for c in t):
        return False
    return any(c.isupper() for c in t[1:]) or (any(c.isdigit() for c in t) and t[0].isalnum()) or \
        (t[0].isupper() and " " not in t and len(t) > 2 and not t.isalpha())


def is_junk(text: str) -> bool:
    """Spans that are never entities (see the module docstring).

    >>> [is_junk(t) for t in ["300x", "3.7B", 'B\\\\"ohm', "MNIST < CIFAR10", "linear probe atop",
    ...                        "classical and novel", "CLIP text encoder conditions the U-Net denoiser",
    ...                        "ResNet-50", "10-fold cross validation"]]
    [True, True, True, True, True, True, True, False, False]
    """
    t = text.strip()
    if _NUMERIC.match(t) or "\\" in t or _FORMULA.search(t) or _is_shot_count(t) or is_modifier(t):
        return True
    if t.count("(") != t.count(")") or t.count("[") != t.count("]"):
        return True  # kg_boundaries closes brackets between words: this one is inside a cut formula ("O(N")
    words = t.split()
    if len(words) >= 4 and _INNER_DETERMINER.search(f" {t} "[1:]) and not is_name(words[0]):
        return True
    if len(words) >= 4 and _INNER_DETERMINER.search(t):
        return True
    if len(words) >= 2 and words[-1].lower() in _TRAILING:
        return True
    return len(words) >= 2 and bool(_NUMERIC.match(words[0]))  # a quantity: "3.7B parameters"


def is_modifier(text: str) -> bool:
    """A lone lowercase adjective or adverb: no entity alone ("complex", "significantly").

    The shipped model has no tagger, so: a closed list of adjectives frequent in abstracts,
    and the suffixes -ly, -ous, -ful, -less, -able, -ible (less a few nouns: "anomaly", "table").

    >>> [is_modifier(t) for t in ["complex", "significantly", "scalable", "anomaly", "CLIP", "parsing"]]
    [True, True, True, False, False, False]
    """
    t = text.strip()
    if " " in t or not t.isalpha() or not t.islower() or t in _SUFFIX_NOUNS:
        return False
    return t in _ADJECTIVES or (len(t) > 4 and t.endswith(_MODIFIER_SUFFIXES))


#: What stands between the items of a list, and how many items make one (_harmonise_lists).
_LIST_GLUE = frozenset({",", "and", "or", ", and", ", or", "/", "&"})
_MIN_LIST = 3


#: Endings of -ly adverbs ("numerically", "efficiently"), which nouns such as "anomaly", "family",
#: "homophily" and "multiply" lack.
_ADVERB_ENDINGS = ("ally", "ively", "ously", "ntly", "ately", "ingly", "edly", "ctly", "ibly", "ably",
                   "fully", "lessly")


def _is_adverb(word: str) -> bool:
    """A lowercase -ly adverb ("numerically"), not a noun such as "anomaly" or "homophily"."""
    return word.endswith(_ADVERB_ENDINGS) and is_modifier(word)


def is_hardware(text: str) -> bool:
    """Hardware, kg type ``concept`` (never a method or a data set).

    >>> [is_hardware(t) for t in ["A100 GPUs", "edge devices", "TPU v3 pod", "V100", "RTX 3090", "T5",
    ...                           "phone recognition", "ImageNet"]]
    [True, True, True, True, True, False, False, False]
    """
    t = text.strip()
    words = t.lower().split()
    return bool(words) and (words[-1] in _DEVICE_HEADS or bool(_ACCELERATOR.match(t)))


def _is_common_word(text: str) -> bool:
    """One lowercase word: a common noun, no name ("beliefs", "images")."""
    t = text.strip()
    return " " not in t and t.isalpha() and t.islower() and t not in _DATASET_HEADS


_FUNCTION_WORDS = {"of", "for", "from", "and", "the", "with", "to", "in", "on", "by", "via", "a", "an"}


def _tight(long: str, short: str) -> bool:
    """Each word of *long* starts with a letter of *short*, or is a function word: a long form,
    not a clause ("Reinforcement Learning algorithms that learn from human feedback (RLHF)")."""
    letters = set(short.lower())
    words = re.split(r"[\s-]+", long.lower())
    return all(w in _FUNCTION_WORDS or w[:1] in letters for w in words if w)


def _is_shot_count(text: str) -> bool:
    """A shot count, alone or with a setting word ("5-shot setting", "5-way 1-shot")."""
    words = text.lower().split()
    return any(_SHOT.match(w) for w in words) and all(_SHOT.match(w) or w in _SETTING_WORDS for w in words)


def _is_proper(text: str) -> bool:
    """A name, or one capitalised word ("Mixtral", "Vicuna")."""
    return is_name(text) or (text[:1].isupper() and " " not in text and text[1:].islower())


def _named(text: str, known: set[str]) -> bool:
    return is_name(text) or text.lower() in known


def split_coordination(text: str, known: set[str] | None = None) -> list[tuple[int, int]]:
    """Character ranges of the names in a coordination of names, or ``[(0, len(text))]``.

    >>> t = "CNN/DailyMail and XSum"
    >>> [t[a:b] for a, b in split_coordination(t, {"cnn/dailymail"})]
    ['CNN/DailyMail', 'XSum']
    >>> [t[a:b] for a, b in split_coordination(t)]
    ['CNN', 'DailyMail', 'XSum']
    >>> split_coordination("speech recognition and translation")
    [(0, 34)]
    """
    known = known or set()
    whole = [(0, len(text))]
    if text.lower() in known:
        return whole
    parts: list[tuple[int, int]] = []
    pos = 0
    for m in _COORD.finditer(text):
        if m.start() == m.end():
            continue
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in parts:
        piece = text[a:b]
        if "/" in piece and piece.lower() not in known:
            sub = piece.split("/")
            if len(sub) > 1 and all(_named(s, known) and len(s) > 1 for s in sub):
                k = a
                for s in sub:
                    out.append((k, k + len(s)))
                    k += len(s) + 1
                continue
        out.append((a, b))
    if len(out) < 2 or not all(_named(text[a:b], known) for a, b in out):
        return whole
    return out


#: Head words of task names: a span ending in one is a task, not a data set ("few-shot learning").
_TASK_HEADS = frozenset([
    "learning", "detection", "recognition", "classification", "segmentation", "translation",
    "generation", "summarization", "summarisation", "parsing", "tagging", "retrieval", "estimation",
    "prediction", "forecasting", "answering", "reasoning", "understanding", "completion", "captioning",
    "tracking", "localization", "localisation", "labeling", "labelling", "extraction", "synthesis",
    "matching", "alignment", "modeling", "modelling", "clustering", "compression", "reconstruction",
    "denoising", "navigation", "planning", "recommendation", "identification", "verification",
    "inpainting", "super-resolution", "transcription", "diarization"])
_DATASET_HEADS = {"dataset", "datasets", "corpus", "corpora", "treebank", "benchmark", "benchmarks"}
#: Head words of mathematical statements and objects: no data set and no method, whatever the
#: model says ("Brenier's theorem", "IBP bounds", "upper bound", "Moreau envelope").
_THEORY_HEADS = frozenset([
    "theorem", "theorems", "lemma", "lemmas", "corollary", "conjecture", "bound", "bounds",
    "inequality", "inequalities", "envelope", "identity", "axiom", "axioms", "proposition",
    "law", "laws", "hypothesis", "hypotheses", "assumption", "assumptions", "hyperparameter",
    "hyperparameters", "eigenvalue", "eigenvalues"])
#: Head words whose type kg_names sets itself: a list does not change it (_harmonise_lists).
_TYPED_HEADS = _THEORY_HEADS | _TASK_HEADS | _DATASET_HEADS


def _definition(start: int, end: int, acronyms, text: str) -> list[tuple[int, int]] | None:
    """A span holding "long form (SF)": the two, relative to *start* (kg_rules would split it
    later with the long form's type for both; here each piece can take its known type). A span
    that goes on after the definition, "Kullback-Leibler (KL) divergence", is one name: None."""
    if inner_definition(text[start:end]) is not None:
        return None
    for a in acronyms:
        if start <= a.long_start and a.long_end <= a.short_start and a.short_end < end and \
                start < a.long_end:
            return [(a.long_start - start, a.long_end - start), (a.short_start - start, a.short_end - start)]
    return None


class Names(Component):
    """The ``kg_names`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "kg_names", *, path: str | None = None) -> None:
        self.name = name
        from .gazetteer import GazetteerEntry

        entries = [GazetteerEntry(t, k) for t, k in WELL_KNOWN]
        if path is None:  # the hand-written gazetteer's names (not its phrases) are sure of their type
            entries += [e for e in read_gazetteer() if _is_proper(e.text) and e.type != "concept"]
        entries += read_gazetteer(path or DEFAULT_NAMES)
        entries = [e for e in entries if not is_junk(e.text)]  # "5-shot": a setting, not a name
        self.table = Gazetteer(nlp, name, entries=entries,
                               relabel=("method", "dataset", "task", "metric"))
        self.known = {e.text.lower() for e in entries}
        self.folded: dict[str, str] = {}
        for e in entries:
            self.folded.setdefault(e.text.casefold(), e.type)

    def known_type(self, text: str) -> str | None:
        """The table's type of *text*: as the table matches, or for a name, in any case (GeLU)."""
        types = self.table.types
        found = types.get(text) if is_case_sensitive(text) else types.get(text.lower())
        if found is None and is_name(text):
            found = self.folded.get(text.casefold())
        return found

    def match(self, doc: Doc) -> list[Span]:
        """The entities to keep: junk dropped, coordinations and acronym definitions split, then
        known names typed."""
        from .acronyms import find_acronyms

        text = doc.text  # spaCy joins the tokens again on every access
        acronyms = find_acronyms(text) if "(" in text else []
        cited = _citations(text) if "(" in text or "[" in text else []
        out: list[Span] = []
        for ent in doc.ents:
            if is_junk(ent.text) or _cited(cited, ent.start_char, ent.end_char):
                continue
            cut = ent.text.rfind(" ")
            if _is_adverb(re.split(r"[-–]", ent.text[cut + 1:])[-1]):
                if cut < 0:
                    continue  # one word, an adverb: "information-theoretically"
                trimmed = doc.char_span(ent.start_char, ent.start_char + cut, label=ent.label_,
                                        alignment_mode="contract")  # "the NTK numerically": "NTK"
                if trimmed is None or not len(trimmed):
                    continue
                trimmed.id_ = ent.id_
                ent = trimmed
            pieces = _definition(ent.start_char, ent.end_char, acronyms, text) or \
                split_coordination(ent.text, self.known)
            for a, b in pieces:
                span = doc.char_span(ent.start_char + a, ent.start_char + b, label=ent.label_,
                                     alignment_mode="contract")
                if span is None or not len(span):
                    continue
                known = self.known_type(span.text)
                if known is None and (inner := inner_definition(span.text)) is not None:
                    # "FID score" in "Fréchet Inception Distance (FID) score", or "FID"
                    known = self.known_type(inner.long_name) or self.known_type(inner.short_name) or \
                        self.known_type(inner.short)
                span.label_ = known or ent.label_
                if known is None and span.label_ == "dataset" and \
                        span.text.split()[-1].lower() in _TASK_HEADS:
                    span.label_ = "task"
                if span.text.split()[-1].lower() in _DATASET_HEADS:
                    span.label_ = "dataset"
                if known is None and span.label_ == "dataset" and _is_common_word(span.text):
                    span.label_ = "concept"  # "beliefs", "images": a data set has a name
                if known is None and span.label_ in ("dataset", "method") and \
                        span.text.split()[-1].lower() in _THEORY_HEADS:
                    span.label_ = "concept"
                if is_hardware(span.text) and (span.label_ != "method" or " " in span.text.strip()
                                               or _ACCELERATOR.match(span.text)
                                               or span.text.strip().islower()):
                    span.label_ = "concept"  # a lone "GPU" may be GPU computing (SciREX: a method)
                span.id_ = ent.ent_id_ or "model"
                out.append(span)
        return self._harmonise_lists(text, self._join_long_forms(doc, out, acronyms))

    def _harmonise_lists(self, text: str, spans: list[Span]) -> list[Span]:
        """The names of a list are of one type: in "MNIST, FashionMNIST and CIFAR10" the table knows
        MNIST and CIFAR10 as data sets, so FashionMNIST, which it does not know, is one too.
        *text* is the doc's text, *spans* its entities in text order."""
        run: list[Span] = []

        def settle() -> None:
            if len(run) < _MIN_LIST:
                return
            types = [self.known_type(s.text) for s in run]
            known = set(types) - {None}
            if len(known) != 1:
                return
            label = known.pop()
            for s, typ in zip(run, types):
                if typ is None and s.label_ != label and is_name(s.text) and not is_hardware(s.text) \
                        and s.text.split()[-1].lower() not in _TYPED_HEADS:
                    s.label_ = label

        for span in spans:
            if run and text[run[-1].end_char:span.start_char].strip() in _LIST_GLUE:
                run.append(span)
            else:
                settle()
                run = [span]
        settle()
        return spans

    def _join_long_forms(self, doc: Doc, spans: list[Span], acronyms) -> list[Span]:
        """A long form the model cut in pieces ("reinforcement learning" + "human feedback"
        before "(RLHF)") becomes one span with its short form's type; a whole long form takes
        its short form's known type ("low-rank adaptation (LoRA)": a method)."""
        for a in acronyms:
            if not _tight(a.long, a.short):
                continue
            inside = [s for s in spans if s.start_char < a.long_end and a.long_start < s.end_char]
            if len(inside) == 1 and (inside[0].start_char, inside[0].end_char) == (a.long_start, a.long_end):
                inside[0].label_ = self.known_type(a.short) or inside[0].label_  # LoRA's long form
                continue
            if not inside or not all(a.long_start <= s.start_char and s.end_char <= a.long_end
                                     for s in inside):
                continue
            short = [s for s in spans if (s.start_char, s.end_char) == (a.short_start, a.short_end)]
            label = self.known_type(a.short) or (short[0].label_ if short else None)
            long = doc.char_span(a.long_start, a.long_end, label=label or inside[0].label_)
            if long is None or label is None:
                continue
            long.id_ = inside[0].id_
            spans = [s for s in spans if s not in inside] + [long]
        return sorted(spans, key=lambda s: s.start_char)

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        ids = {(s.start, s.end): s.id_ for s in spans}
        doc.ents = filter_spans(spans)
        for e in doc.ents:
            for tok in e:
                tok.ent_id_ = ids.get((e.start, e.end)) or e.ent_id_ or "model"
        # a name matched in any case may be a junk word ("ComplEx" in "the task is complex")
        text = doc.text
        cited = _citations(text) if "(" in text or "[" in text else []
        self.table.set_annotations(doc, [m for m in self.table.match(doc) if not is_junk(m.text)
                                         and not _cited(cited, m.start_char, m.end_char)])


@Language.factory("kg_names", assigns=["doc.ents"], default_config={"path": None})
def make_names(nlp: Language, name: str, path: str | None) -> Names:
    """Create the ``kg_names`` component (``path`` None: kg's shipped name table)."""
    return Names(nlp, name, path=path)


def add_names(nlp: Language) -> None:
    """Add ``kg_names`` after the gazetteer (or last); a second call changes nothing."""
    if "kg_names" in nlp.pipe_names or not DEFAULT_NAMES.is_file():
        return
    if "kg_gazetteer" in nlp.pipe_names:
        nlp.add_pipe("kg_names", after="kg_gazetteer")
    else:
        nlp.add_pipe("kg_names")


def load_names_demo() -> Language:
    """A blank English pipeline with ``kg_names`` (for examples and tests)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_names")
    return nlp
