"""Lexical rules over a sentence's entity spans: generic phrases, cue-phrase roles, relations.

These work on plain strings and character offsets (no spaCy objects), so the
same rules apply whatever NER produced the spans.

>>> is_generic("our approach"), is_generic("teacher forcing")
(True, False)
"""

from __future__ import annotations

import re

__all__ = [
    "GENERIC_WORDS",
    "clean_span",
    "is_generic",
    "relation_between",
    "role_cues",
    "trim_span",
]

_DETERMINERS = {"a", "an", "the", "this", "these", "that", "those", "our", "their", "its", "his",
                "her", "such", "each", "every", "any", "some", "both", "all", "we", "it", "they",
                "which", "whose", "other", "another", "same", "several", "many", "most", "more"}

#: Words that make no entity alone or together ("our results", "this paper", "state of the art").
GENERIC_WORDS = frozenset(
    ["approach", "approaches", "method", "methods", "methodology", "model", "models", "framework", "frameworks", "technique", "techniques", "algorithm", "algorithms", "system", "systems", "result", "results", "experiment", "experiments", "experimental", "paper", "papers", "work", "works", "study", "studies", "state", "art", "of", "the-art", "state-of-the-art", "sota", "task", "tasks", "problem", "problems", "performance", "performances", "data", "baseline", "baselines", "analysis", "solution", "solutions", "procedure", "procedures", "scheme", "schemes", "strategy", "strategies", "setting", "settings", "setup", "setups", "way", "ways", "idea", "ideas", "case", "cases", "component", "components", "module", "modules", "architecture", "architectures", "variant", "variants", "version", "versions", "extension", "extensions", "example", "examples", "application", "applications", "evaluation", "evaluations", "improvement", "improvements", "benchmark", "benchmarks", "dataset", "datasets", "corpus", "corpora", "theory", "theories", "practice", "practices", "novel", "new", "proposed", "existing", "previous", "prior", "recent", "current", "standard", "simple", "efficient", "effective", "general", "generic", "various", "different", "other", "key", "main", "first", "second", "one", "two", "three", "number", "numbers", "level", "levels", "literature", "research", "researchers", "field", "fields", "domain", "domains", "tool", "tools", "technology", "technologies", "issue", "issues", "challenge", "challenges", "question", "questions", "goal", "goals", "fact", "facts", "term", "terms", "type", "types", "kind", "kinds", "form", "forms", "part", "parts", "end", "progress", "advance", "advances", "advancement", "advancements", "development", "developments", "success", "successes", "effort", "efforts", "trend", "trends", "rapid", "remarkable", "significant", "impressive", "great", "growing", "increasing", "manner", "aspect", "aspects", "art-of-the", "and", "or", "in", "to", "for", "on", "with", "by", "from", "as", "at", "into", "it", "this", "that", "these", "those", "our", "their", "we", "they", "he", "she", "them", "i", "you"]
)

#: Words that make no entity alone, but may head one ("process model", "Gaussian processes").
_GENERIC_ALONE = frozenset(["process", "processes", "pipeline", "pipelines", "mechanism", "mechanisms"])

_PUNCT_EDGES = " \t,.;:!?\"'`“”‘’"


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-/]+", text.lower()) if w]


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim surrounding punctuation, unbalanced brackets and leading determiners from a span.

    >>> s = "we use the ResNet, and"
    >>> a, b = clean_span(s, 7, 18)
    >>> s[a:b]
    'ResNet'
    """
    changed = True
    while changed and start < end:
        changed = False
        while start < end and text[start] in _PUNCT_EDGES:
            start += 1
            changed = True
        while end > start and text[end - 1] in _PUNCT_EDGES:
            end -= 1
            changed = True
        span = text[start:end]
        if span.endswith(")") and span.count("(") < span.count(")"):
            end -= 1
            changed = True
        elif span.startswith("(") and span.count("(") > span.count(")"):
            start += 1
            changed = True
        elif span.endswith(("(", "[")):
            end -= 1
            changed = True
        m = re.match(r"(\S+)\s+", text[start:end])
        if m and m.group(1).lower() in _DETERMINERS and end - start > m.end():
            start += m.end()
            changed = True
    return start, end


_LEADING_VERBS = frozenset(
    ["use", "uses", "using", "used", "train", "trains", "training", "trained", "fine-tune", "fine-tunes", "fine-tuning", "fine-tuned", "finetune", "finetunes", "finetuning", "finetuned", "apply", "applies", "applying", "applied", "employ", "employs", "employing", "leverage", "leverages", "leveraging", "adopt", "adopts", "adopting", "propose", "proposes", "proposing", "introduce", "introduces", "introducing", "evaluate", "evaluates", "evaluating", "compare", "compares", "comparing", "improve", "improves", "improving", "via", "with"]
)
_DATASET_NOUNS = ("dataset", "datasets", "data set", "data sets", "benchmark", "benchmarks", "corpus",
                  "suite")


def trim_span(text: str, start: int, end: int, type: str | None = None) -> tuple[int, int]:
    """Drop a leading verb ("fine-tune BERT") and, for datasets, a trailing "dataset" after a name.

    Only where what remains is still an entity.

    >>> s = "We fine-tune BERT on the CoNLL-2003 dataset."
    >>> a, b = trim_span(s, 3, 17); s[a:b]
    'BERT'
    >>> a, b = trim_span(s, 25, 43, "dataset"); s[a:b]
    'CoNLL-2003'
    >>> a, b = trim_span("training data", 0, 13); "training data"[a:b]
    'training data'
    """
    span = text[start:end]
    m = re.match(r"(\S+)\s+", span)
    if m and m.group(1).lower() in _LEADING_VERBS and not is_generic(span[m.end():]):
        start += m.end()
        span = text[start:end]
    if type == "dataset":
        low = span.lower()
        for noun in _DATASET_NOUNS:
            if low.endswith(" " + noun):
                rest = span[: -len(noun) - 1].rstrip()
                if rest and not is_generic(rest) and any(c.isupper() or c.isdigit() for c in rest):
                    end = start + len(rest)
                break
    return start, end


def is_generic(text: str) -> bool:
    """True for phrases that are never entities: every word generic ("rapid progress"), a pronoun,
    no letters, or a word that is no entity alone ("process").

    >>> is_generic("rapid progress"), is_generic("the process"), is_generic("process model")
    (True, True, False)
    """
    words = _words(text)
    if not words or not any(c.isalpha() for c in text):
        return True
    if len(text) < 2:
        return True
    content = [w for w in words if w not in _DETERMINERS]
    if len(content) == 1 and content[0] in _GENERIC_ALONE:
        return True
    return all(w in GENERIC_WORDS or w in _DETERMINERS for w in words)


# --- roles -----------------------------------------------------------------
# Each pattern ends right before the spans it gives a role to.
_PROPOSE_BEFORE = re.compile(
    r"\b(?:we|this (?:paper|work|study|article)|here we|in this (?:paper|work),? we)\s+"
    r"(?:first\s+|also\s+|further\s+|then\s+)?"
    r"(?:propose[sd]?|introduce[sd]?|present[sd]?|develop(?:s|ed)?|design(?:s|ed)?|devise[sd]?|"
    r"put forward|contribute[sd]?|offer(?:s|ed)?|release[sd]?|build|construct(?:s|ed)?|curate[sd]?|"
    r"collect(?:s|ed)?|formulate[sd]?)\b",
    re.IGNORECASE,
)
_PROPOSE_AFTER = re.compile(r"^\s*\)?,?\s*(?:a|an)\s+(?:novel|new|simple|general|unified|principled)\b", re.IGNORECASE)
_CALLED = re.compile(r"\b(?:called|dubbed|named|termed|coined)\s*$", re.IGNORECASE)
_EVAL_BEFORE = re.compile(
    r"\b(?:evaluat(?:e|ed|es|ing)|experiments?|tested|test|benchmark(?:ed|s)?|results?|"
    r"performance|accuracy|state-of-the-art|sota|trained|fine-tuned|validated?)\b[^.;]{0,40}?\b(?:on|across|using)\s+"
    r"(?:the\s+|several\s+|multiple\s+|two\s+|three\s+|four\s+|five\s+|various\s+)?[^.;]*$",
    re.IGNORECASE,
)
_ON_THE = re.compile(r"\bon\s+(?:the\s+)?$", re.IGNORECASE)
_DATASET_AFTER = re.compile(r"^\s*(?:data\s?sets?|benchmarks?|corpus|corpora|datasets?)\b", re.IGNORECASE)
_USE_BEFORE = re.compile(
    r"\b(?:we\s+(?:use|employ|adopt|leverage|apply|utilize|utilise|exploit|build on|rely on)|"
    r"using|leveraging|employing|based on|built on|via|by means of|with the help of)\s+"
    r"(?:the\s+|a\s+|an\s+|pre-?trained\s+)?$",
    re.IGNORECASE,
)


def role_cues(
    sentence: str,
    start: int,
    end: int,
    *,
    following: str | None = None,
    previous_end: int | None = None,
    type: str | None = None,
) -> str | None:
    """The role a cue phrase gives the span ``sentence[start:end]``, or None.

    Returns ``"proposes"``, ``"evaluates_on"`` or ``"uses"``. *following* is
    the text after the span (defaults to the rest of the sentence);
    *previous_end* is where the previous entity of the sentence ends: "we
    propose X for Y" makes only X, the first entity after the cue, proposed.
    With *type* given, only datasets are ``evaluates_on``.

    >>> s = "We propose EControl, a novel mechanism for compression."
    >>> role_cues(s, 11, 19)
    'proposes'
    >>> role_cues(s, 43, 54, previous_end=19) is None
    True
    >>> s = "Results on the ImageNet dataset improve."
    >>> role_cues(s, 15, 23)
    'evaluates_on'
    """
    before = sentence[:start]
    after = sentence[end:] if following is None else following
    offset = max(0, start - 80)
    near = before[offset:]
    if _CALLED.search(near) or _PROPOSE_AFTER.match(after):
        return "proposes"
    m = _PROPOSE_BEFORE.search(near)
    if (m and not re.search(r"[.;]", near[m.end():]) and len(near) - m.end() <= 45
            and (previous_end is None or previous_end <= offset + m.end())):
        return "proposes"
    if type in (None, "dataset"):
        if _DATASET_AFTER.match(after) and _ON_THE.search(before[-40:]):
            return "evaluates_on"
        if _EVAL_BEFORE.search(before[-120:]):
            return "evaluates_on"
    if _USE_BEFORE.search(near):
        return "uses"
    return None


_USED_FOR = re.compile(r"^[^.;]{0,60}?\b(?:for|to solve|to address|to tackle|applied to|in)\b[^.;]{0,30}$", re.IGNORECASE)
_EVALUATED_ON = re.compile(r"^[^.;]{0,60}?\b(?:on|across|using)\b[^.;]{0,30}$", re.IGNORECASE)


def relation_between(head_type: str, tail_type: str, between: str) -> str | None:
    """The relation a cue between two spans of one sentence states, or None.

    >>> relation_between("method", "task", " is a model for ")
    'used_for'
    >>> relation_between("method", "dataset", " achieves 80% accuracy on ")
    'evaluated_on'
    """
    if len(between) > 90:
        return None
    if head_type == "method" and tail_type == "task" and _USED_FOR.match(between):
        return "used_for"
    if head_type == "method" and tail_type == "dataset" and _EVALUATED_ON.match(between):
        return "evaluated_on"
    return None
