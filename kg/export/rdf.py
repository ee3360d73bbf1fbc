"""RDF export: kg's vocabulary, IRIs minted from stable ids, and fast serialisation.

The graph becomes RDF like this (``kg:`` is :data:`KG`, data IRIs live under
a configurable base IRI, by default :data:`DEFAULT_BASE_IRI`):

* a paper is a ``schema:ScholarlyArticle`` with ``dcterms:title``,
  ``dcterms:abstract``, ``dcterms:creator`` (one literal per author),
  ``dcterms:date``, ``schema:url``, ``dcterms:identifier``, ``bibo:doi``;
* an entity is a ``kg:Method``, ``kg:Dataset``, ``kg:Task``, ``kg:Metric`` or
  ``kg:Concept`` (each a subclass of ``skos:Concept``, and typed as both so
  stores without reasoning still find it) with ``skos:prefLabel`` and
  ``skos:altLabel``;
* a paper's role towards an entity is a property: ``kg:proposes``,
  ``kg:evaluatesOn``, ``kg:uses`` (sub-properties of ``schema:mentions``) or
  ``schema:mentions`` itself;
* every mention is a ``kg:Mention`` node, ``prov:wasDerivedFrom`` its paper,
  with its field, offsets, text, sentence, extractor and confidence;
* ``kg:usedFor``, ``kg:evaluatedOn``, ``kg:featureOf``, ``kg:hyponymOf``,
  ``kg:partOf``, ``kg:comparedWith``, ``kg:conjunction`` and ``kg:coOccursWith`` link entities
  directly, and a ``kg:Relation`` node (an ``rdf:Statement``) per link carries
  its ``kg:weight`` and ``kg:evidence``.

IRIs come from kg's ids only (percent-encoded), never from raw text, and no
blank nodes are used, so the same graph always gives byte-identical files.
One generator makes the triples, node by node, with its terms spelt for
N-Triples (full ``<IRI>``s) or for Turtle (prefixed names such as
``paper:P-...``, ``kg:weight``, ``a``, bare integers; a data IRI whose id
does not make a Turtle local name stays a full ``<IRI>``). N-Triples and
N-Quads are its lines; Turtle is the :func:`prefixes`, then one statement
per subject (``S p1 o1 ;`` and a tab-indented line per further triple), and
TriG the same inside the named graph. JSON-LD is written from the
N-Triples parsed back by pyoxigraph.

>>> from kg.graph import build_graph
>>> from kg.types import Paper, Mention
>>> p = Paper(id="P-1", title='Say "hi"', abstract="We use BERT.")
>>> m = Mention("P-1", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0, role="uses")
>>> G = build_graph([(p, [m], [])])
>>> g = graph_to_rdf(G)
>>> from rdflib.namespace import DCTERMS
>>> str(g.value(paper_iri("P-1"), DCTERMS.title))
'Say "hi"'
>>> (paper_iri("P-1"), KG.uses, entity_iri("method-2300a13449936cae")) in g
True
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib import namespace as _ns
from rdflib.term import URIRef

from .._gc import gc_paused
from .._io import atomic_write
from ..errors import ExportError
from ..graph import CO_OCCURS, ENTITY, EVALUATED_ON, MENTION, PAPER, USED_FOR

__all__ = [
    "BIBO",
    "DEFAULT_BASE_IRI",
    "KG",
    "RDF_FORMATS",
    "default_graph_iri",
    "entity_iri",
    "graph_to_rdf",
    "ntriples_blocks",
    "ntriples_lines",
    "ontology_path",
    "paper_iri",
    "prefixes",
    "shapes_path",
    "write_rdf",
]

#: Where data IRIs live unless ``base_iri`` says otherwise. ``example.org`` is
#: reserved for examples: publish under your own domain with ``--base-iri``.
DEFAULT_BASE_IRI = "https://kg.example.org/"


class KG(_ns.DefinedNamespace):
    """kg's small ontology (shipped as ``kg/export/ontology.ttl``). Closed: a typo raises."""

    _fail = True
    _NS = _ns.Namespace("https://kg.example.org/ontology#")

    # classes
    Method: URIRef  # A technique, model, algorithm or architecture.
    Dataset: URIRef  # A data collection used for training or evaluation.
    Task: URIRef  # A problem a method is applied to.
    Metric: URIRef  # A measure of quality used in evaluation.
    Concept: URIRef  # Any other scientific concept.
    Mention: URIRef  # One occurrence of an entity in one field of one paper.
    Relation: URIRef  # A reified entity-to-entity link with its weight and evidence.
    RelationEvidence: URIRef  # One sentence that supports a Relation.
    # paper -> entity roles
    proposes: URIRef  # The paper introduces the entity.
    evaluatesOn: URIRef  # The paper evaluates on the entity (a dataset).
    uses: URIRef  # The paper uses the entity.
    # entity -> entity
    usedFor: URIRef  # The subject is used for the object (SciERC USED-FOR).
    evaluatedOn: URIRef  # A method is evaluated on a dataset or with a metric (SciERC EVALUATE-FOR).
    featureOf: URIRef  # The subject is a feature of the object (SciERC FEATURE-OF).
    hyponymOf: URIRef  # The subject is a kind of the object (SciERC HYPONYM-OF).
    partOf: URIRef  # The subject is part of the object (SciERC PART-OF).
    comparedWith: URIRef  # The two are compared (SciERC COMPARE; symmetric).
    conjunction: URIRef  # The two are named together as peers (SciERC CONJUNCTION; symmetric).
    coOccursWith: URIRef  # Both entities occur in at least one paper.
    # node attributes
    id: URIRef  # kg's stable id of a paper or entity.
    key: URIRef  # The canonical key an entity was merged on.
    paperCount: URIRef  # How many papers mention the entity.
    mentionCount: URIRef  # How many mentions the entity has.
    venue: URIRef  # Where the paper appeared, as given by the input.
    sourceRecord: URIRef  # The file:line a paper was read from.
    # mentions
    mentionOf: URIRef  # The entity a mention refers to.
    role: URIRef  # The role of the mention: proposes, evaluates_on, uses or mentions.
    field: URIRef  # The paper field holding the mention: title or abstract.
    start: URIRef  # Character offset where the mention starts in its field.
    end: URIRef  # Character offset just after the mention in its field.
    text: URIRef  # The mention's text as written.
    sentence: URIRef  # The sentence holding the mention or relation.
    sentenceStart: URIRef  # Character offset of the sentence in its field.
    extractedBy: URIRef  # What found the mention: model, rule or acronym.
    confidence: URIRef  # The extractor's confidence, 0 to 1.
    # relations
    weight: URIRef  # How many papers support the relation.
    evidence: URIRef  # A RelationEvidence node of the relation.
    cue: URIRef  # The cue phrase that matched.
    headText: URIRef  # The text of the relation's head mention.
    tailText: URIRef  # The text of the relation's tail mention.


class BIBO(_ns.DefinedNamespace):
    """The one term kg uses from the Bibliographic Ontology."""

    _fail = True
    _NS = _ns.Namespace("http://purl.org/ontology/bibo/")

    doi: URIRef  # The paper's DOI, as a literal.


#: Export formats: name -> (file extension, media type, holds named graphs).
RDF_FORMATS: dict[str, tuple[str, str, bool]] = {
    "turtle": (".ttl", "text/turtle", False),
    "ntriples": (".nt", "application/n-triples", False),
    "jsonld": (".jsonld", "application/ld+json", False),
    "trig": (".trig", "application/trig", True),
    "nquads": (".nq", "application/n-quads", True),
}
_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld",
            "nq": "nquads", "n-quads": "nquads"}

_ENTITY_CLASS = {"method": KG.Method, "dataset": KG.Dataset, "task": KG.Task, "metric": KG.Metric,
                 "concept": KG.Concept}
_ROLE_PROPERTY = {"proposes": KG.proposes, "evaluates_on": KG.evaluatesOn, "uses": KG.uses,
                  "mentions": _ns.SDO.mentions}
_RELATION_PROPERTY = {USED_FOR: KG.usedFor, EVALUATED_ON: KG.evaluatedOn, CO_OCCURS: KG.coOccursWith,
                      "feature_of": KG.featureOf, "hyponym_of": KG.hyponymOf, "part_of": KG.partOf,
                      "compared_with": KG.comparedWith, "conjunction": KG.conjunction}

# N-Triples escaping: the four characters the grammar forbids raw, plus other controls. Turtle's
# "..." strings accept the same escapes, so one literal syntax serves both.
_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                 ord("\t"): "\\t"})

# Turtle's PN_LOCAL (the part after "paper:"), for the ASCII that percent-encoded ids are made of:
# letters, digits, "_", "%XX", "-" (not first) and "." (not first or last); "~" would need an escape.
_PLX = "%[0-9A-Fa-f]{2}"
_PN_FIRST, _PN_MID, _PN_LAST = f"(?:[A-Za-z0-9_]|{_PLX})", f"(?:[A-Za-z0-9_.-]|{_PLX})", f"(?:[A-Za-z0-9_-]|{_PLX})"
_PN_LOCAL = re.compile(f"{_PN_FIRST}(?:{_PN_MID}*{_PN_LAST})?")
_PN_HEAD = re.compile(f"{_PN_FIRST}{_PN_MID}*")  # may start a local that goes on after it
_PN_BODY = re.compile(f"{_PN_MID}*")  # may stand inside a local
_PN_TAIL = re.compile(f"{_PN_MID}*{_PN_LAST}")  # may end a local that started before it

#: Namespaces of the vocabulary (the rest of :func:`prefixes` depends on the base IRI).
_VOCAB_PREFIXES = ("kg", "schema", "dcterms", "skos", "prov", "bibo", "rdf", "rdfs", "xsd")


def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    """Every term and datatype kg writes: IRI -> N-Triples ``<IRI>`` and IRI -> Turtle name."""
    terms = [_ns.RDF.type, _ns.RDF.Statement, _ns.RDF.subject, _ns.RDF.predicate, _ns.RDF.object,
             _ns.SDO.ScholarlyArticle, _ns.SDO.mentions, _ns.SDO.url, _ns.DCTERMS.title,
             _ns.DCTERMS.abstract, _ns.DCTERMS.creator, _ns.DCTERMS.date, _ns.DCTERMS.identifier,
             BIBO.doi, _ns.SKOS.Concept, _ns.SKOS.prefLabel, _ns.SKOS.altLabel, _ns.PROV.wasDerivedFrom,
             _ns.XSD.integer, _ns.XSD.double, _ns.XSD.date, _ns.XSD.gYearMonth, _ns.XSD.gYear,
             _ns.XSD.anyURI, *(getattr(KG, name) for name in KG.__annotations__)]
    pfx = prefixes()
    nt, ttl = {}, {}
    for term in terms:
        iri = str(term)
        nt[iri] = f"<{iri}>"
        ttl[iri] = next(f"{p}:{iri[len(pfx[p]):]}" for p in _VOCAB_PREFIXES
                        if iri.startswith(pfx[p]) and _PN_LOCAL.fullmatch(iri[len(pfx[p]):]))
    ttl[str(_ns.RDF.type)] = "a"
    return nt, ttl


def _lit(text: Any) -> str:
    """A plain string literal in N-Triples (and Turtle) syntax."""
    return '"' + str(text).translate(_ESCAPES) + '"'


def _double(x: Any, datatype: str) -> str:
    x = float(x)
    lex = "NaN" if math.isnan(x) else ("INF" if x > 0 else "-INF") if math.isinf(x) else repr(x)
    return f'"{lex}"^^{datatype}'


def _date(value: str, T: dict[str, str]) -> str:
    """xsd:date / gYearMonth / gYear when *value* is one, else a plain literal."""
    v = value.strip()
    try:
        if len(v) == 10:
            _dt.date.fromisoformat(v)
            return f'"{v}"^^{T[str(_ns.XSD.date)]}'
        if len(v) == 7 and v[4] == "-" and v[:4].isdigit() and 1 <= int(v[5:]) <= 12:
            return f'"{v}"^^{T[str(_ns.XSD.gYearMonth)]}'
        if len(v) == 4 and v.isdigit():
            return f'"{v}"^^{T[str(_ns.XSD.gYear)]}'
    except ValueError:
        pass
    return _lit(value)


def _check_iri(iri: str, what: str) -> str:
    try:
        ox.NamedNode(iri)
    except (ValueError, TypeError) as exc:
        raise ExportError(f"{what} {iri!r} is not a valid absolute IRI ({exc})",
                          hint="use something like https://example.org/kg/") from None
    return iri


def _check_base(base_iri: str) -> str:
    _check_iri(base_iri, "base IRI")
    if not base_iri.endswith(("/", "#")):
        raise ExportError(f"base IRI {base_iri!r} must end with '/' or '#'",
                          hint=f"use {base_iri + '/'!r}")
    return base_iri


def _seg(node_id: Any) -> str:
    """A kg id as an IRI path segment: unreserved characters kept, the rest percent-encoded."""
    return quote(str(node_id), safe="-_~")


def paper_iri(paper_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of a paper node.

    >>> str(paper_iri("P-0123456789abcdef"))
    'https://kg.example.org/paper/P-0123456789abcdef'
    """
    return URIRef(f"{base_iri}paper/{_seg(paper_id)}")


def entity_iri(entity_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of an entity node.

    >>> str(entity_iri("method-2300a13449936cae", "https://example.org/kg/"))
    'https://example.org/kg/entity/method-2300a13449936cae'
    """
    return URIRef(f"{base_iri}entity/{_seg(entity_id)}")


def default_graph_iri(base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The named graph TriG, N-Quads and ``kg push`` use unless told otherwise: ``<base>graph``."""
    return f"{base_iri}graph"


def prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """Prefixes used in Turtle, TriG, JSON-LD contexts and ``kg sparql`` queries.

    >>> prefixes()["kg"]
    'https://kg.example.org/ontology#'
    """
    return {
        "kg": str(KG._NS), "schema": str(_ns.SDO._NS), "dcterms": str(_ns.DCTERMS._NS),
        "skos": str(_ns.SKOS._NS), "prov": str(_ns.PROV._NS), "bibo": str(BIBO._NS),
        "rdf": str(_ns.RDF._NS), "rdfs": str(_ns.RDFS._NS), "xsd": str(_ns.XSD._NS),
        "paper": f"{base_iri}paper/", "entity": f"{base_iri}entity/",
        "mention": f"{base_iri}mention/", "rel": f"{base_iri}relation/",
    }


_NT_TERMS, _TTL_TERMS = _vocabulary()
_NL, _TTL_SEP = "\n", " ;\n\t"


def ontology_path() -> Path:
    """Path of the shipped ontology (Turtle)."""
    return Path(str(resources.files("kg.export").joinpath("ontology.ttl")))


def shapes_path() -> Path:
    """Path of the shipped SHACL shapes (Turtle)."""
    return Path(str(resources.files("kg.export").joinpath("shapes.ttl")))


def ntriples_lines(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """Yield the graph's triples as N-Triples lines (each ends with ``" .\\n"``), deterministically.

    Papers come first, then entities, each in id order, each followed by its
    mention or relation nodes, so Turtle can group them by subject. No line
    repeats.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="a\\nb")
    >>> print("".join(ntriples_lines(G)), end="")
    <https://kg.example.org/paper/P-1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/ScholarlyArticle> .
    <https://kg.example.org/paper/P-1> <https://kg.example.org/ontology#id> "P-1" .
    <https://kg.example.org/paper/P-1> <http://purl.org/dc/terms/title> "a\\nb" .
    """
    for block in ntriples_blocks(G, base_iri=base_iri):
        # split on "\n" only: literals may hold U+2028 or U+0085, which str.splitlines would cut at
        for line in block.split("\n")[:-1]:
            yield line + "\n"


def ntriples_blocks(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The same triples as :func:`ntriples_lines`, as one block of whole lines per node (faster).

    Every raw ``"\\n"`` in a block ends a triple (literals escape theirs), so
    ``block.count("\\n")`` counts triples and ``" .\\n"`` occurs only at line ends.
    """
    for groups in _node_groups(G, base_iri, turtle=False):
        yield "".join([f"{s} {f' .{_NL}{s} '.join(pos)} .\n" for s, pos in groups])


def _turtle_blocks(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The same triples as :func:`ntriples_blocks` as Turtle statements, one block per node.

    The terms are prefixed names of :func:`prefixes` (which the caller
    declares), the triples of a subject one statement, one triple a line: as in
    N-Triples, every raw ``"\\n"`` ends a triple.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="a\\nb")
    >>> G.add_node("P~2", kind="paper")
    >>> print("".join(_turtle_blocks(G)).replace("\\t", "  "), end="")
    paper:P-1 a schema:ScholarlyArticle ;
      kg:id "P-1" ;
      dcterms:title "a\\nb" .
    <https://kg.example.org/paper/P~2> a schema:ScholarlyArticle ;
      kg:id "P~2" .
    """
    for groups in _node_groups(G, base_iri, turtle=True):
        yield "".join([f"{s} {_TTL_SEP.join(pos)} .\n" for s, pos in groups])


def _node_groups(G: nx.MultiDiGraph, base_iri: str, *, turtle: bool) -> Iterator[list[tuple[str, list[str]]]]:
    """Per node, its triples and those of its mention or relation nodes, in a fixed order.

    Each node gives a list of ``(subject, ["predicate object", ...])`` groups,
    one per subject, its terms in N-Triples syntax, or in Turtle's (prefixed
    names where the local part allows it, ``a``, bare integers) if *turtle*.
    """
    _check_base(base_iri)
    nodes = G.nodes
    T = _TTL_TERMS if turtle else _NT_TERMS
    segs: dict[Any, str] = {}
    iris: dict[Any, str] = {}
    tails: dict[Any, bool] = {}  # Turtle: may the node's id end a mention or relation's local name

    def seg(n: Any) -> str:
        x = segs.get(n)
        if x is None:
            x = segs[n] = _seg(n)
        return x

    def node_iri(n: Any) -> str:
        iri = iris.get(n)
        if iri is None:
            ns = "paper" if nodes[n].get("kind") == PAPER else "entity"
            local = seg(n)
            if turtle and _PN_LOCAL.fullmatch(local):
                iri = iris[n] = f"{ns}:{local}"
            else:
                iri = iris[n] = f"<{base_iri}{ns}/{local}>"
        return iri

    def tail_ok(n: Any) -> bool:
        ok = tails.get(n)
        if ok is None:
            ok = tails[n] = _PN_TAIL.fullmatch(seg(n)) is not None
        return ok

    targets: dict[Any, tuple[str, str, str, bool]] = {}
    weights: dict[Any, str] = {}  # weight -> its predicate-object

    def target(n: Any) -> tuple[str, str, str, bool]:
        """(IRI, "rdf:object IRI", IRI segment, may it end a local name) of a relation's object."""
        x = targets.get(n)
        if x is None:
            o = node_iri(n)
            x = targets[n] = (o, f"{OBJ} {o}", seg(n), turtle and tail_ok(n))
        return x

    small: dict[Any, str] = {}  # literals that repeat everywhere: roles, fields, extractors

    def lit_small(x: Any) -> str:
        v = small.get(x)
        if v is None:
            v = small[x] = _lit(x)
        return v

    fields: dict[Any, tuple[str, bool]] = {}  # field -> (its IRI segment, may it stand inside a local)

    def field_seg(field: Any) -> tuple[str, bool]:
        x = fields.get(field)
        if x is None:
            fs = _seg(field)
            x = fields[field] = (fs, _PN_BODY.fullmatch(fs) is not None)
        return x

    def t(term: str) -> str:
        return T[str(term)]

    K = {name: t(getattr(KG, name)) for name in KG.__annotations__}
    ROLE = {r: t(p) for r, p in _ROLE_PROPERTY.items()}
    REL = {k: t(p) for k, p in _RELATION_PROPERTY.items()}
    REL_NAME = {k: str(p).rsplit("#", 1)[1] for k, p in _RELATION_PROPERTY.items()}
    CLS = {ty: t(c) for ty, c in _ENTITY_CLASS.items()}
    TYPE, SKOS_CONCEPT, MENTIONS = t(_ns.RDF.type), t(_ns.SKOS.Concept), t(_ns.SDO.mentions)
    DERIVED, TITLE = t(_ns.PROV.wasDerivedFrom), t(_ns.DCTERMS.title)
    ABSTRACT, CREATOR = t(_ns.DCTERMS.abstract), t(_ns.DCTERMS.creator)
    DATE, IDENT, URL, DOI = t(_ns.DCTERMS.date), t(_ns.DCTERMS.identifier), t(_ns.SDO.url), t(BIBO.doi)
    PREF, ALT, STATEMENT = t(_ns.SKOS.prefLabel), t(_ns.SKOS.altLabel), t(_ns.RDF.Statement)
    SUBJ, PRED, OBJ = t(_ns.RDF.subject), t(_ns.RDF.predicate), t(_ns.RDF.object)
    ARTICLE, ANYURI, DOUBLE = t(_ns.SDO.ScholarlyArticle), t(_ns.XSD.anyURI), t(_ns.XSD.double)
    # an xsd:integer is "<lexical>"^^<...#integer> in N-Triples, the bare number in Turtle
    INT_OPEN, INT_CLOSE = ("", "") if turtle else ('"', f'"^^{t(_ns.XSD.integer)}')
    M_TYPE, M_OF, M_ROLE, M_FIELD = K["Mention"], K["mentionOf"], K["role"], K["field"]
    M_START, M_END, M_TEXT, M_SENT = K["start"], K["end"], K["text"], K["sentence"]
    M_SSTART, M_BY, M_CONF = K["sentenceStart"], K["extractedBy"], K["confidence"]
    ID, RELATION, WEIGHT, EVIDENCE, EVIDENCE_CLS = K["id"], K["Relation"], K["weight"], K["evidence"], \
        K["RelationEvidence"]
    EV_PROPS = [(key, K[prop]) for key, prop in (("field", "field"), ("sentence", "sentence"), ("cue", "cue"),
                                                ("head", "headText"), ("tail", "tailText"))]
    MENTION_IRI, REL_IRI = f"<{base_iri}mention/", f"<{base_iri}relation/"
    MENTION_TYPE, REL_TYPE, REL_STATEMENT = f"{TYPE} {M_TYPE}", f"{TYPE} {RELATION}", f"{TYPE} {STATEMENT}"
    REL_PRED = {k: f"{PRED} {p}" for k, p in REL.items()}

    def kind_order(n: Any) -> tuple[int, str]:
        kind = nodes[n].get("kind")
        return (0 if kind == PAPER else 1 if kind == ENTITY else 2, str(n))

    str_ids = all(type(n) is str for n in G)
    for n in sorted(G.nodes, key=kind_order):
        data = nodes[n]
        kind = data.get("kind")
        if kind not in (PAPER, ENTITY):
            raise ExportError(f"node {n!r} has kind {kind!r}; expected 'paper' or 'entity'",
                              hint="export a graph made by kg.graph.build_graph or kg.load")
        s = node_iri(n)
        succ = G._succ[n]  # the raw adjacency dict: networkx's read-only views cost ~25% of the export
        # neighbours in str order (plain sorted() gives the same order when every id is a str)
        order = sorted(succ) if str_ids else sorted(succ, key=str)
        out_edges = [(v, k, d) for v in order
                     for k, d in (succ[v].items() if len(succ[v]) == 1 else sorted(succ[v].items()))]
        if kind == PAPER:
            po = [f"{TYPE} {ARTICLE}", f"{ID} {_lit(n)}"]
            groups = [(s, po)]
            a = po.append
            if data.get("title") is not None:
                a(f"{TITLE} {_lit(data['title'])}")
            if data.get("abstract"):
                a(f"{ABSTRACT} {_lit(data['abstract'])}")
            for author in dict.fromkeys(data.get("authors") or ()):
                a(f"{CREATOR} {_lit(author)}")
            if data.get("date"):
                a(f"{DATE} {_date(str(data['date']), T)}")
            url = data.get("url")
            if url:
                try:
                    a(f"{URL} {ox.NamedNode(str(url))}")
                except ValueError:  # not an IRI: keep it, as a typed literal
                    a(f"{URL} {_lit(url)}^^{ANYURI}")
            if data.get("identifier"):
                a(f"{IDENT} {_lit(data['identifier'])}")
            if data.get("doi"):
                a(f"{DOI} {_lit(data['doi'])}")
            if data.get("venue"):
                a(f"{K['venue']} {_lit(data['venue'])}")
            for src in dict.fromkeys(data.get("sources") or ()):
                a(f"{K['sourceRecord']} {_lit(src)}")
            mentions = [(v, d) for v, k, d in out_edges if k == MENTION]
            for v, d in mentions:
                a(f"{ROLE.get(d.get('role'), MENTIONS)} {node_iri(v)}")
            pseg = seg(n)
            p_head = turtle and _PN_HEAD.fullmatch(pseg) is not None
            sentences: dict[str, str] = {}  # a sentence is shared by the mentions in it
            derived = f"{DERIVED} {s}"
            for v, d in mentions:
                mention_of = f"{M_OF} {node_iri(v)}"
                stem = f"{pseg}.{seg(v)}."
                # mention:<paper>.<entity>.<field>.<start>-<end> when that is a Turtle name, else <IRI>
                if p_head and _PN_BODY.fullmatch(seg(v)):
                    m_open, m_close = "mention:", ""
                else:
                    m_open, m_close = MENTION_IRI, ">"
                seen: set[str] = set()
                edge_role = d.get("role") or "mentions"
                for ev in d.get("evidence") or ():
                    start, end, field = int(ev["start"]), int(ev["end"]), ev["field"]
                    fseg, f_ok = field_seg(field)
                    local = f"{fseg}.{start}-{end}"
                    if local in seen:  # the same span found twice: keep both, apart
                        i = 2
                        while f"{local}.{i}" in seen:
                            i += 1
                        local = f"{local}.{i}"
                    seen.add(local)
                    m = f"{m_open}{stem}{local}{m_close}" if f_ok else f"{MENTION_IRI}{stem}{local}>"
                    mpo = [MENTION_TYPE, derived, mention_of,
                           f"{M_ROLE} {lit_small(ev.get('role') or edge_role)}", f"{M_FIELD} {lit_small(field)}",
                           f"{M_START} {INT_OPEN}{start}{INT_CLOSE}", f"{M_END} {INT_OPEN}{end}{INT_CLOSE}"]
                    groups.append((m, mpo))
                    if ev.get("text") is not None:
                        mpo.append(f"{M_TEXT} {_lit(ev['text'])}")
                    sentence = ev.get("sentence")
                    if sentence is not None:
                        lit = sentences.get(sentence)
                        if lit is None:
                            lit = sentences[sentence] = _lit(sentence)
                        mpo.append(f"{M_SENT} {lit}")
                    if ev.get("sent_start") is not None:
                        mpo.append(f"{M_SSTART} {INT_OPEN}{int(ev['sent_start'])}{INT_CLOSE}")
                    if ev.get("source"):
                        mpo.append(f"{M_BY} {lit_small(ev['source'])}")
                    if ev.get("confidence") is not None:
                        mpo.append(f"{M_CONF} {_double(ev['confidence'], DOUBLE)}")
        else:
            etype = data.get("type")
            if etype not in CLS:
                raise ExportError(f"entity {n!r} has type {etype!r}; expected one of {sorted(CLS)}",
                                  hint="rebuild the graph with `kg build`")
            po = [f"{TYPE} {CLS[etype]}", f"{TYPE} {SKOS_CONCEPT}", f"{ID} {_lit(n)}"]
            groups = [(s, po)]
            a = po.append
            label = data.get("label")
            if label is not None:
                a(f"{PREF} {_lit(label)}")
            alts = dict.fromkeys(x[0] if isinstance(x, (list, tuple)) else x for x in data.get("aliases") or ())
            for alias in alts:
                if alias != label:  # SKOS: prefLabel and altLabel are disjoint
                    a(f"{ALT} {_lit(alias)}")
            if data.get("key") is not None:
                a(f"{K['key']} {_lit(data['key'])}")
            if data.get("papers") is not None:
                a(f"{K['paperCount']} {INT_OPEN}{int(data['papers'])}{INT_CLOSE}")
            if data.get("mentions") is not None:
                a(f"{K['mentionCount']} {INT_OPEN}{int(data['mentions'])}{INT_CLOSE}")
            rels = [(v, k, d, target(v)) for v, k, d in out_edges if k in REL]
            for _v, k, _d, tv in rels:
                a(f"{REL[k]} {tv[0]}")
            nseg = seg(n)
            n_head = turtle and _PN_HEAD.fullmatch(nseg) is not None
            subject = f"{SUBJ} {s}"
            # The statement's first four predicate-objects only depend on this node and the relation:
            # in Turtle they are joined once per relation kind (co-occurrence reifies millions of edges).
            heads: dict[str, list[str]] = {}
            for v, k, d, (_o, o_term, v_seg, v_tail) in rels:
                # rel:<entity>.<relation>.<entity>, and .e1, .e2, ... for its evidence
                r = f"{nseg}.{REL_NAME[k]}.{v_seg}"
                r_open, r_close = ("rel:", "") if n_head and v_tail else (REL_IRI, ">")
                head = heads.get(k)
                if head is None:
                    head = heads[k] = [REL_TYPE, REL_STATEMENT, subject, REL_PRED[k]]
                    if turtle:
                        head[:] = [_TTL_SEP.join(head)]
                rpo = [*head, o_term]
                groups.append((f"{r_open}{r}{r_close}", rpo))
                w = d.get("weight")
                if w is not None:
                    w_term = weights.get(w)
                    if w_term is None:
                        w_term = weights[w] = f"{WEIGHT} {INT_OPEN}{int(w)}{INT_CLOSE}"
                    rpo.append(w_term)
                evidence = d.get("evidence") or ()
                for i in range(1, len(evidence) + 1):
                    rpo.append(f"{EVIDENCE} {r_open}{r}.e{i}{r_close}")
                for i, ev in enumerate(evidence, 1):
                    xpo = [f"{TYPE} {EVIDENCE_CLS}"]
                    groups.append((f"{r_open}{r}.e{i}{r_close}", xpo))
                    if ev.get("paper") is not None and ev["paper"] in G:
                        xpo.append(f"{DERIVED} {node_iri(ev['paper'])}")
                    for key, prop in EV_PROPS:
                        if ev.get(key) is not None:
                            xpo.append(f"{prop} {_lit(ev[key])}")
        yield groups


def _normalise_format(format: str) -> str:
    name = _ALIASES.get(format.lower(), format.lower())
    if name not in RDF_FORMATS:
        raise ExportError(f"unknown RDF format {format!r}", hint=f"use one of {', '.join(RDF_FORMATS)}")
    return name


def graph_to_rdf(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> rdflib.Graph:
    """The graph as an in-memory :class:`rdflib.Graph` (for small graphs and tests).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T")
    >>> len(graph_to_rdf(G))
    3
    """
    g = rdflib.Graph()
    for prefix, ns in prefixes(base_iri).items():
        g.bind(prefix, ns, override=True)
    g.parse(data="".join(ntriples_blocks(G, base_iri=base_iri)), format="nt")
    return g


@gc_paused()  # its temporaries die young; a full GC pass would walk the whole graph
def write_rdf(G: nx.MultiDiGraph, path: str | os.PathLike[str], *, format: str = "turtle",
              base_iri: str = DEFAULT_BASE_IRI, graph_iri: str | None = None) -> int:
    """Write *G* as RDF to *path*, atomically; return the number of triples.

    Parameters
    ----------
    format : str
        ``turtle``, ``ntriples``, ``jsonld``, ``trig`` or ``nquads``.
    base_iri : str
        Prefix of every paper, entity, mention and relation IRI; ends with ``/`` or ``#``.
    graph_iri : str, optional
        The named graph of TriG and N-Quads (and of JSON-LD when given);
        defaults to :func:`default_graph_iri`. Ignored, with a warning, by
        Turtle and N-Triples.

    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
    >>> write_rdf(G, out)
    3
    >>> "dcterms:title" in out.read_text()
    True
    """
    fmt = _normalise_format(format)
    _check_base(base_iri)
    quads = RDF_FORMATS[fmt][2]
    if graph_iri is not None:
        _check_iri(graph_iri, "graph IRI")
        if not quads and fmt != "jsonld":
            warnings.warn(f"{fmt} has no named graphs; graph_iri {graph_iri!r} is ignored", stacklevel=2)
    elif quads:
        graph_iri = default_graph_iri(base_iri)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot write here: {exc.strerror}", path=path,
                          hint="choose another output folder with -o") from None
    if fmt in ("turtle", "trig"):  # written directly, one statement per subject
        head = "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in prefixes(base_iri).items()) + "\n"
        if fmt == "trig":
            return _write_blocks(_turtle_blocks(G, base_iri=base_iri), path, head=f"{head}<{graph_iri}> {{\n",
                                 tail="}\n")
        return _write_blocks(_turtle_blocks(G, base_iri=base_iri), path, head=head)
    blocks = ntriples_blocks(G, base_iri=base_iri)
    if fmt == "ntriples":
        return _write_blocks(blocks, path)
    if fmt == "nquads":  # " .\n" only ever ends a line (see ntriples_blocks)
        g_suffix = f" <{graph_iri}> .\n"
        return _write_blocks((b.replace(" .\n", g_suffix) for b in blocks), path)
    # JSON-LD goes through pyoxigraph: N-Triples into a temp file, parsed back (which also checks
    # every generated line) and written as one node object per subject.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        count = _write_blocks(blocks, tmp, atomic=False)
        parsed = ox.parse(path=tmp, format=ox.RdfFormat.N_TRIPLES)
        with atomic_write(path, "wb") as f:
            _write_jsonld(parsed, f, prefixes(base_iri), graph_iri)
    except SyntaxError as exc:  # a line kg generated that pyoxigraph rejects: a bug in kg
        raise ExportError(f"generated invalid RDF ({exc})", path=path,
                          hint="please report this with the input that caused it") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return count


def _write_blocks(blocks: Iterable[str], path: str | Path, *, atomic: bool = True, head: str = "",
                  tail: str = "") -> int:
    """Write *head*, blocks of whole lines in large writes, then *tail*; return how many lines the blocks hold."""
    count = 0
    with atomic_write(path) if atomic else open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(head)
        buf: list[str] = []
        size = 0
        for block in blocks:
            buf.append(block)
            size += len(block)
            if size >= 1 << 20:
                text = "".join(buf)
                count += text.count("\n")
                f.write(text)
                buf.clear()
                size = 0
        text = "".join(buf)
        count += text.count("\n")
        f.write(text + tail)
    return count


def _write_jsonld(quads: Iterable[Any], f: io.RawIOBase | Any, pfx: dict[str, str],
                  graph_iri: str | None) -> None:
    """Compact JSON-LD with the prefixes as ``@context``; one node object per line, streamed."""
    ordered = sorted(pfx.items(), key=lambda kv: -len(kv[1]))
    string = str(_ns.XSD.string)

    def compact(iri: str) -> str:
        for name, ns in ordered:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{name}:{iri[len(ns):]}"
        return iri

    def value(term: Any) -> Any:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == string:
                return term.value
            return {"@value": term.value, "@type": compact(term.datatype.value)}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        return {"@id": compact(term.value)}

    def emit(node: dict[str, Any], first: bool) -> None:
        body = {k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v)
                for k, v in node.items()}
        f.write((("" if first else ",\n") + json.dumps(body, ensure_ascii=False, separators=(",", ":")))
                .encode("utf-8"))

    head: dict[str, Any] = {"@context": dict(pfx)}
    if graph_iri is not None:
        head["@id"] = graph_iri
    f.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1].encode("utf-8"))
    f.write(b',"@graph":[\n')
    subject = None
    first = True
    rdf_type = str(_ns.RDF.type)
    node: dict[str, Any] = {}
    for q in quads:
        if q.subject != subject:
            if subject is not None:
                emit(node, first)
                first = False
            subject = q.subject
            node = {"@id": value(subject)["@id"]}
        p = q.predicate.value
        if p == rdf_type and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(q.object.value))
        else:
            node.setdefault(compact(p), []).append(value(q.object))
    if subject is not None:
        emit(node, first)
    f.write(b"\n]}\n")
