"""Normalisation: mentions -> canonical entities with stable ids.

The canonical key of a mention is its text after Unicode NFKC, with
hyphens and spaces made equal, leading determiners dropped, words
case-folded except acronyms, and the head noun (the last word) made singular.
An entity's id comes from its type and its key with spaces removed, so
"pre-training", "pre training" and "pretraining" share one id, run after run
and across corpora.

>>> canonical_key("the Piecewise-linear RNNs")
'piecewise linear RNN'
>>> entity_id("method", "piecewise linear RNN") == entity_id("method", "piecewiselinear RNN")
True
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .acronyms import find_acronyms
from .types import ENTITY_TYPES, Entity, Mention

__all__ = ["InnerDefinition", "Normalizer", "canonical_key", "compact_key", "entity_id", "inner_definition",
           "is_acronym", "normalise", "singular"]

_SPLIT = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
_DETS = {"a", "an", "the", "this", "these", "that", "those", "our", "their", "its", "such"}
_DATASET_WORDS = {"dataset", "datasets", "corpus", "benchmark", "database"}
#: Words that add nothing after an acronym or a versioned name ("LLM models", "T5 architecture").
_MODEL_WORDS = {"model", "models", "architecture", "architectures", "network", "networks"}
#: A name with its version in one word ("T5", "CodeGen2", "Llama3"); not "3D", "2D" or a bare number.
_VERSIONED = re.compile(r"[A-Za-z]+\d+[A-Za-z]?")
#: Acronyms of fields and tasks: "ML models" are no "ML", "NER models" no "NER".
_FIELD_ACRONYMS = {"ai", "ml", "dl", "nlp", "cv", "rl", "ir", "mt", "nmt", "asr", "tts", "qa", "vqa", "nlu",
                   "nlg", "ner", "ocr", "sr", "pos", "srl", "slu", "kg", "mir"}
_INVARIANT = {
    "series", "species", "news", "physics", "dynamics", "mathematics", "economics", "statistics",
    "robotics", "analytics", "graphics", "linguistics", "semantics", "genetics", "ethics",
    "kinetics", "mechanics", "optics", "electronics", "logistics", "diagnostics", "genomics",
    "proteomics", "bias", "gas", "lens", "corpus", "chaos", "focus", "consensus", "calculus",
    "status", "virus", "radius", "modulus", "apparatus", "plus", "minus", "bonus", "atlas",
    "canvas", "thus", "data", "criteria", "this", "its", "is", "was", "has", "does", "less",
    "across", "perhaps", "always", "whereas", "gpus", "cpus", "tpus",
}
_IRREGULAR = {
    "analyses": "analysis", "hypotheses": "hypothesis", "theses": "thesis", "bases": "basis",
    "indices": "index", "matrices": "matrix", "vertices": "vertex", "appendices": "appendix",
    "criteria": "criterion", "phenomena": "phenomenon", "corpora": "corpus", "children": "child",
    "people": "person", "men": "man", "women": "woman", "mice": "mouse", "feet": "foot",
    "teeth": "tooth", "geese": "goose", "lemmata": "lemma", "schemata": "schema", "axes": "axis",
    "crises": "crisis", "diagnoses": "diagnosis", "syntheses": "synthesis", "leaves": "leaf",
    "halves": "half", "selves": "self", "lives": "life", "knives": "knife", "gpus": "GPU",
}


def is_acronym(token: str) -> bool:
    """True for tokens written as acronyms: BERT, RNNs, PLRNNs, T5 (case is kept for these).

    >>> is_acronym("RNNs"), is_acronym("ImageNet"), is_acronym("T5")
    (True, False, True)
    """
    letters = [c for c in token if c.isalpha()]
    if not letters or len(token) < 2:
        return False
    upper = sum(c.isupper() for c in letters)
    if upper == len(letters):
        return True
    return upper >= 2 and upper >= len(letters) - 1 and token[-1] == "s"


def singular(word: str) -> str:
    """Singular of an English noun (rules plus a table of irregular forms).

    >>> [singular(w) for w in ["networks", "strategies", "analyses", "losses", "dynamics", "matrices", "sizes"]]
    ['network', 'strategy', 'analysis', 'loss', 'dynamics', 'matrix', 'size']
    """
    w = word
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w in _INVARIANT or len(w) <= 3 or not w.endswith("s"):
        return w
    if w.endswith(("ss", "us", "is", "ous", "ics")):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return w[:-2]
    return w[:-1]


_GOES_ON = re.compile(r"\s*\)\s+\S")


class InnerDefinition(NamedTuple):
    """What :func:`inner_definition` reads in "the Kullback-Leibler (KL) divergence"."""

    name: str  #: the name without the definition: "the Kullback-Leibler divergence"
    long_name: str  #: the long form and what follows it: "Kullback-Leibler divergence"
    short_name: str  #: the short form and what follows it: "KL divergence"
    long: str  #: "Kullback-Leibler"
    short: str  #: "KL"


def inner_definition(text: str) -> InnerDefinition | None:
    """A name that defines an acronym inside it, "Kullback-Leibler (KL) divergence", read
    (see :class:`InnerDefinition`); None for any other text.

    The definition is what :func:`kg.acronyms.find_acronyms` finds (Schwartz-Hearst), and the
    name must go on after its ")" with a word.

    >>> inner_definition("the Kullback-Leibler (KL) divergence").long_name
    'Kullback-Leibler divergence'
    >>> tuple(inner_definition("large language model (LLM) agents")[1:])
    ('large language model agents', 'LLM agents', 'large language model', 'LLM')
    >>> [inner_definition(t) for t in ("recurrent neural networks (RNNs)", "GPT (GPT-3) model",
    ...                                "Kullback-Leibler (KL), then", "a (2019) model")]
    [None, None, None, None]
    """
    if "(" not in text:
        return None
    for a in find_acronyms(text):
        after = _GOES_ON.match(text, a.short_end)
        if after is None:
            continue
        rest = text[after.end() - 1:]  # the word after the bracket
        opening = text.rfind("(", 0, a.short_start)
        return InnerDefinition(text[:opening].rstrip() + " " + rest, f"{a.long} {rest}",
                               f"{a.short} {rest}", a.long, a.short)
    return None


def _names_a_dataset(tokens: list[str]) -> bool:
    """"Caltech-UCSD Birds dataset" is the dataset "Caltech-UCSD Birds"; "image dataset" stays."""
    return tokens[-1].lower() in _DATASET_WORDS and \
        (tokens[-2][:1].isupper() or any(c.isdigit() for c in tokens[-2]))


def _names_a_model(tokens: list[str]) -> bool:
    """"LLM models", "BERT model", "T5 architecture" are the LLM, BERT, T5; "hidden Markov model",
    "3D models", "ML models" and "NER models" stay."""
    name = tokens[-2]
    field = name.lower()
    return tokens[-1].lower() in _MODEL_WORDS and (is_acronym(name) or bool(_VERSIONED.fullmatch(name))) and \
        not name[:1].isdigit() and field not in _FIELD_ACRONYMS and field.removesuffix("s") not in _FIELD_ACRONYMS


def canonical_key(text: str) -> str:
    """The canonical key of a mention's text (see the module docstring).

    >>> canonical_key("Large Language Models") == canonical_key("large-language model")
    True
    >>> canonical_key("LLMs")
    'LLM'
    >>> canonical_key("the CUB-200 dataset"), canonical_key("image dataset")
    ('CUB 200', 'image dataset')
    >>> canonical_key("LLM models") == canonical_key("LLMs"), canonical_key("hidden Markov model")
    (True, 'hidden markov model')
    >>> canonical_key("ML models")
    'ML model'

    """
    t = unicodedata.normalize("NFKC", text).strip()
    inner = inner_definition(t)
    if inner is not None:  # "Kullback-Leibler (KL) divergence" is "Kullback-Leibler divergence"
        t = inner.name
    t = re.sub(r"['’]s\b", "", t)
    tokens = [tok for tok in _SPLIT.split(t) if tok]
    while len(tokens) > 1 and tokens[0].lower() in _DETS:
        tokens.pop(0)
    if len(tokens) > 1 and (_names_a_dataset(tokens) or _names_a_model(tokens)):
        tokens.pop()
    out: list[str] = []
    for i, tok in enumerate(tokens):
        last = i == len(tokens) - 1
        tok = tok.strip(".,;:!?\"'()[]{}")
        if not tok:
            continue
        if is_acronym(tok):
            if tok.endswith("s") and not tok[:-1].endswith("S") and len(tok) > 2:
                tok = tok[:-1]
            out.append(tok)
        else:
            low = tok.casefold()
            out.append(singular(low) if last else low)
    return " ".join(out)


def compact_key(key: str) -> str:
    """The key with spaces removed: what decides identity (hyphen and space variants merge)."""
    return key.replace(" ", "")


def entity_id(type: str, key: str) -> str:
    """Stable id of an entity from its type and canonical key.

    >>> entity_id("method", "teacher forcing")
    'method-aa76614b1ecb66eb'
    """
    digest = hashlib.blake2b(f"{type}\0{compact_key(key)}".encode(), digest_size=8).hexdigest()
    return f"{type}-{digest}"


@dataclass
class Normalized:
    """The result of :func:`normalise`: entities by id and each mention's entity id."""

    entities: dict[str, Entity]
    mention_entity: dict[Mention, str]


class Normalizer:
    """Collects mentions (possibly in several passes) and resolves them to entities.

    >>> from kg.types import Mention
    >>> n = Normalizer()
    >>> def m(text, long=None):
    ...     return Mention("P-1", "abstract", 0, len(text), text, "method", text, 0, long_form=long)
    >>> n.add([m("recurrent neural networks"), m("RNNs", "recurrent neural networks"), m("RNN")])
    >>> result = n.resolve()
    >>> [e.label for e in result.entities.values()]
    ['recurrent neural networks']
    """

    def __init__(self, *, fixed_types: dict[str, str] | None = None) -> None:
        self._mentions: list[Mention] = []
        # compact key -> type decided earlier (kg build --update keeps ids stable this way)
        self._fixed_types = dict(fixed_types or {})

    def add(self, mentions: Iterable[Mention]) -> None:
        self._mentions.extend(mentions)

    def resolve(self) -> Normalized:
        """Entities by id, and each mention's entity id (mentions without a key are left out)."""
        entities, ids = self.resolve_ids()
        return Normalized(entities, {m: eid for m, eid in zip(self._mentions, ids) if eid is not None})

    def resolve_ids(self) -> tuple[dict[str, Entity], list[str | None]]:
        """Entities by id, and the entity id of every mention in the order they were added.

        A mention whose text has no canonical key (only punctuation, say) gets
        None. Cheaper than :meth:`resolve` for a caller that walks the mentions
        in order again (no dict keyed by Mention, whose hash covers every field).

        >>> from kg.types import Mention
        >>> n = Normalizer()
        >>> n.add([Mention("P-1", "abstract", 0, 4, "RNNs", "method", "RNNs.", 0),
        ...        Mention("P-1", "abstract", 5, 7, "--", "method", "RNNs --.", 0)])
        >>> entities, ids = n.resolve_ids()
        >>> ids == [next(iter(entities)), None]
        True
        """
        mentions = self._mentions
        # surface forms repeat across a corpus: compute each canonical key once
        ckey = functools.lru_cache(maxsize=None)(canonical_key)

        # 1. acronyms: short form -> most common expansion across the corpus
        expansions: dict[str, Counter[str]] = defaultdict(Counter)
        for m in mentions:
            if m.long_form:
                expansions[compact_key(ckey(m.text))][ckey(m.long_form)] += 1
            elif (inner := inner_definition(m.text)) is not None:
                # a definition inside a name: "KL divergence" is its short form, and "KL" alone
                # is "Kullback-Leibler", as after a split one
                expansions[compact_key(ckey(inner.short_name))][ckey(inner.long_name)] += 1
                expansions[compact_key(ckey(inner.short))][ckey(inner.long)] += 1
        acronym_map = {short: _most_common(c) for short, c in expansions.items()}

        @functools.cache
        def key_of(text: str, long_form: str | None) -> tuple[str, str]:
            """(canonical key, compact key) of a surface form."""
            if long_form:
                key = ckey(long_form)
            else:
                key = ckey(text)
                key = acronym_map.get(compact_key(key), key)
            return key, compact_key(key)

        groups: dict[str, list[tuple[Mention, str]]] = defaultdict(list)
        compact_of: list[str | None] = []  # per mention, its group's compact key
        for m in mentions:
            key, compact = key_of(m.text, m.long_form)
            if key:
                compact = compact.casefold()  # case variants are one entity: GELU, GeLU
                groups[compact].append((m, key))
                compact_of.append(compact)
            else:
                compact_of.append(None)
        entities: dict[str, Entity] = {}
        id_of: dict[str | None, str | None] = {None: None}  # compact key -> entity id
        for compact in sorted(groups):
            members = groups[compact]
            types = Counter(m.type for m, _ in members)
            key = _most_common(Counter(k for _, k in members))
            etype = self._fixed_types.get(compact_key(key)) or min(
                types, key=lambda t: (-types[t], ENTITY_TYPES.index(t) if t in ENTITY_TYPES else 99))
            surfaces = Counter(m.text for m, _ in members)
            aliases = tuple(sorted(surfaces.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])))
            eid = entity_id(etype, key)
            entities[eid] = Entity(id=eid, type=etype, key=key, label=aliases[0][0], aliases=aliases)
            id_of[compact] = eid
        return entities, [id_of[c] for c in compact_of]


def _most_common(counter: Counter[str]) -> str:
    return min(counter, key=lambda k: (-counter[k], -len(k), k))


def normalise(mentions: Iterable[Mention]) -> Normalized:
    """Resolve *mentions* to canonical entities (one pass; see :class:`Normalizer`)."""
    n = Normalizer()
    n.add(mentions)
    return n.resolve()
