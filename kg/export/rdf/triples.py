"""The triples of a graph, node by node, spelt for N-Triples or Turtle.

:func:`node_groups` walks the graph in a fixed order, papers then entities,
each in id order, and gives per node a list of ``(subject, ["predicate
object", ...])`` groups, one per subject:

* a paper (:func:`_paper_groups`): its own triples, then a ``kg:Mention``
  node per evidence of each of its mention edges (:func:`_mention_groups`);
* an entity (:func:`_entity_groups`): its own triples, then a
  ``kg:Relation`` node per typed relation (``used_for``, ``evaluated_on``...)
  and a ``kg:RelationEvidence`` node per sentence that supports it
  (:mod:`~kg.export.rdf.relations`); ``co_occurs`` edges are not written
  (SPARQL derives co-occurrence from the papers' ``schema:mentions``);
* after the nodes, a ``skos:Collection`` per community of entities
  (:func:`_community_groups`), where the graph has them;
* last, if there are entities, the export's description: its co-occurrence
  threshold (:class:`~kg.export.rdf.relations.Cooccurrence`).

N-Triples blocks are the groups' lines (:func:`ntriples_blocks`), Turtle
blocks one statement per subject, one triple a line (:func:`turtle_blocks`).
Mention and relation IRIs are made from their nodes' ids, so no blank node
is used and the same graph always gives the same bytes.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="T")
>>> next(node_groups(G, "https://example.org/kg/", turtle=True))
[('paper:P-1', ['a schema:ScholarlyArticle', 'kg:id "P-1"', 'dcterms:title "T"'])]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
import pyoxigraph as ox

from ...errors import ExportError
from ...graph import ENTITY, MENTION, PAPER
from .iri import DEFAULT_BASE_IRI, LOCAL_BODY, LOCAL_HEAD, check_base
from .names import Group, Names
from .relations import Cooccurrence, relation_groups
from .terms import NTRIPLES, TURTLE, Spelling, literal

__all__ = ["node_groups", "ntriples_blocks", "ntriples_lines", "turtle_blocks"]

_NL, _TTL_SEP = "\n", " ;\n\t"

def node_groups(G: nx.MultiDiGraph, base_iri: str, *, turtle: bool) -> Iterator[list[Group]]:
    """Per node, its triples and those of its mention or relation nodes, in a fixed order.

    Each node gives a list of ``(subject, ["predicate object", ...])`` groups,
    one per subject, its terms in N-Triples syntax, or in Turtle's (prefixed
    names where the local part allows it, ``a``, bare integers) if *turtle*.
    """
    check_base(base_iri)
    sp = TURTLE if turtle else NTRIPLES
    names = Names(G, base_iri, sp)
    nodes = G.nodes

    def kind_order(n: Any) -> tuple[int, str]:
        kind = nodes[n].get("kind")
        return (0 if kind == PAPER else 1 if kind == ENTITY else 2, str(n))

    str_ids = all(type(n) is str for n in G)
    cooc = Cooccurrence()
    for n in sorted(G.nodes, key=kind_order):
        data = nodes[n]
        kind = data.get("kind")
        if kind not in (PAPER, ENTITY):
            raise ExportError(f"node {n!r} has kind {kind!r}; expected 'paper' or 'entity'",
                              hint="export a graph made by kg.graph.build_graph or kg.load")
        succ = G._succ[n]  # the raw adjacency: networkx's views cost ~25%
        if kind == PAPER:
            cooc.paper(succ)
            yield _paper_groups(n, data, _out_edges(succ, str_ids), names, sp)
        else:
            yield _entity_groups(G, n, data, _out_edges(cooc.relations(succ), str_ids), names, sp)
    communities = _community_groups(G, names, sp)
    if communities:
        yield communities
    if cooc.entities:
        yield [cooc.group(names, sp)]


def _community_groups(G: nx.MultiDiGraph, names: Names, sp: Spelling) -> list[Group]:
    """A ``skos:Collection`` per community of entities (see :mod:`kg.communities`), at
    ``<base>community/<n>``, with its label (``skos:prefLabel``) and its entities (``skos:member``)."""
    members: dict[int, list[Any]] = {}
    for n, d in G.nodes(data=True):
        c = d.get("community")
        if d.get("kind") == ENTITY and type(c) is int:
            members.setdefault(c, []).append(n)
    labels = {c.get("id"): c.get("label") for c in G.graph.get("communities") or () if isinstance(c, dict)}
    # SKOS terms spelt like skos:Concept and skos:prefLabel (a prefixed name in Turtle, <IRI> in N-Triples)
    collection = f"{sp.type} {sp.skos_concept.replace('Concept', 'Collection')}"
    member = sp.pref_label.replace("prefLabel", "member")
    groups: list[Group] = []
    for c in sorted(members):
        po = [collection, f"{sp.pref_label} {literal(labels.get(c) or f'community {c}')}"]
        po += [f"{member} {names.iri(n)}" for n in sorted(members[c], key=str)]
        groups.append((f"<{names.base_iri}community/{c}>", po))
    return groups


def _out_edges(succ: dict[Any, dict[str, dict[str, Any]]], str_ids: bool) -> list[tuple[Any, str, dict[str, Any]]]:
    """A node's ``(target, key, data)`` edges: targets in str order, then keys in order."""
    # plain sorted() gives the str order when every id is a str
    order = sorted(succ) if str_ids else sorted(succ, key=str)
    return [(v, k, d) for v in order
            for k, d in (succ[v].items() if len(succ[v]) == 1 else sorted(succ[v].items()))]


def _paper_groups(n: Any, data: dict[str, Any], out_edges: list[tuple[Any, str, dict[str, Any]]],
                  names: Names, sp: Spelling) -> list[Group]:
    """A paper's triples (``schema:mentions`` and the role's own property per entity), then its mention nodes'."""
    s = names.iri(n)
    po = [f"{sp.type} {sp.article}", f"{sp.id} {literal(n)}"]
    groups = [(s, po)]
    a = po.append
    if data.get("title") is not None:
        a(f"{sp.title} {literal(data['title'])}")
    if data.get("abstract"):
        a(f"{sp.abstract} {literal(data['abstract'])}")
    for author in dict.fromkeys(data.get("authors") or ()):
        a(f"{sp.creator} {literal(author)}")
    if data.get("date"):
        a(f"{sp.date} {sp.date_literal(str(data['date']))}")
    url = data.get("url")
    if url:
        try:
            a(f"{sp.url} {ox.NamedNode(str(url))}")
        except ValueError:  # not an IRI: keep it, as a typed literal
            a(f"{sp.url} {literal(url)}^^{sp.any_uri}")
    if data.get("identifier"):
        a(f"{sp.identifier} {literal(data['identifier'])}")
    if data.get("doi"):
        a(f"{sp.doi} {literal(data['doi'])}")
    if data.get("venue"):
        a(f"{sp.kg['venue']} {literal(data['venue'])}")
    for src in dict.fromkeys(data.get("sources") or ()):
        a(f"{sp.kg['sourceRecord']} {literal(src)}")
    mentions = [(v, d) for v, k, d in out_edges if k == MENTION]
    role, schema_mentions = sp.role, sp.mentions
    for v, d in mentions:  # schema:mentions always, so no query needs inference; the role beside it
        o = names.iri(v)
        a(f"{schema_mentions} {o}")
        r = role.get(d.get("role"))
        if r is not None:
            a(f"{r} {o}")
    _mention_groups(groups, n, s, mentions, names, sp)
    return groups


def _mention_groups(groups: list[Group], n: Any, s: str, mentions: list[tuple[Any, dict[str, Any]]],
                    names: Names, sp: Spelling) -> None:
    """Append a ``kg:Mention`` node per evidence of each mention edge of paper *n* (subject *s*).

    Its IRI is ``mention:<paper>.<entity>.<field>.<start>-<end>`` (a Turtle
    name when the parts allow, else a full ``<IRI>``), with ``.2``, ``.3``...
    when the same span was found more than once.
    """
    pseg = names.seg(n)
    p_head = names.turtle and LOCAL_HEAD.fullmatch(pseg) is not None
    sentences: dict[str, str] = {}  # a sentence is shared by the mentions in it
    derived = f"{sp.derived} {s}"
    mention_iri, mention_type = names.mention_iri, sp.mention_type
    int_open, int_close = sp.int_open, sp.int_close
    for v, d in mentions:
        vseg = names.seg(v)
        mention_of = f"{sp.mention_of} {names.iri(v)}"
        stem = f"{pseg}.{vseg}."
        if p_head and LOCAL_BODY.fullmatch(vseg):
            m_open, m_close = "mention:", ""
        else:
            m_open, m_close = mention_iri, ">"
        seen: set[str] = set()
        edge_role = d.get("role") or "mentions"
        for ev in d.get("evidence") or ():
            start, end, field = int(ev["start"]), int(ev["end"]), ev["field"]
            fseg, f_ok = names.field(field)
            local = f"{fseg}.{start}-{end}"
            if local in seen:  # the same span found twice: keep both, apart
                local = _unused(local, seen)
            seen.add(local)
            m = f"{m_open}{stem}{local}{m_close}" if f_ok else f"{mention_iri}{stem}{local}>"
            mpo = [mention_type, derived, mention_of,
                   f"{sp.mention_role} {names.literal(ev.get('role') or edge_role)}",
                   f"{sp.field} {names.literal(field)}",
                   f"{sp.start} {int_open}{start}{int_close}", f"{sp.end} {int_open}{end}{int_close}"]
            groups.append((m, mpo))
            if ev.get("text") is not None:
                mpo.append(f"{sp.text} {literal(ev['text'])}")
            sentence = ev.get("sentence")
            if sentence is not None:
                lit = sentences.get(sentence)
                if lit is None:
                    lit = sentences[sentence] = literal(sentence)
                mpo.append(f"{sp.sentence} {lit}")
            if ev.get("sent_start") is not None:
                mpo.append(f"{sp.sentence_start} {int_open}{int(ev['sent_start'])}{int_close}")
            if ev.get("source"):
                mpo.append(f"{sp.extracted_by} {names.literal(ev['source'])}")
            if ev.get("confidence") is not None:
                mpo.append(f"{sp.confidence} {sp.double_literal(ev['confidence'])}")


def _unused(local: str, seen: set[str]) -> str:
    """*local* with the first suffix ``.2``, ``.3``... not in *seen*.

    >>> _unused("abstract.0-4", {"abstract.0-4", "abstract.0-4.2"})
    'abstract.0-4.3'
    """
    i = 2
    while f"{local}.{i}" in seen:
        i += 1
    return f"{local}.{i}"


def _entity_groups(G: nx.MultiDiGraph, n: Any, data: dict[str, Any],
                   out_edges: list[tuple[Any, str, dict[str, Any]]], names: Names,
                   sp: Spelling) -> list[Group]:
    """An entity's triples, then its relation nodes' and their evidence's.

    Its class comes from its ``type`` attribute (kg.graph's schema).
    """
    etype = data.get("type")
    if etype not in sp.entity_class:
        raise ExportError(f"entity {n!r} has type {etype!r}; expected one of {sorted(sp.entity_class)}",
                          hint="rebuild the graph with `kg build`")
    po = [f"{sp.type} {sp.entity_class[etype]}", f"{sp.type} {sp.skos_concept}", f"{sp.id} {literal(n)}"]
    groups = [(names.iri(n), po)]
    a = po.append
    label = data.get("label")
    if label is not None:
        a(f"{sp.pref_label} {literal(label)}")
    alts = dict.fromkeys(x[0] if isinstance(x, (list, tuple)) else x for x in data.get("aliases") or ())
    for alias in alts:
        if alias != label:  # SKOS: prefLabel and altLabel are disjoint
            a(f"{sp.alt_label} {literal(alias)}")
    if data.get("key") is not None:
        a(f"{sp.kg['key']} {literal(data['key'])}")
    if data.get("papers") is not None:
        a(f"{sp.kg['paperCount']} {sp.integer(data['papers'])}")
    if data.get("mentions") is not None:
        a(f"{sp.kg['mentionCount']} {sp.integer(data['mentions'])}")
    relation = sp.relation
    rels = [(v, k, d, names.target(v)) for v, k, d in out_edges if k in relation]
    for _v, k, _d, tv in rels:
        a(f"{relation[k]} {tv[0]}")
    relation_groups(G, groups, n, rels, names, sp)
    return groups

def ntriples_lines(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """Yield the graph's triples as N-Triples lines (each ends with ``" .\\n"``), deterministically.

    Papers come first, then entities, each in id order, each followed by its
    mention or relation nodes, so Turtle can group them by subject. No line
    repeats.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="a\\nb")
    >>> print("".join(ntriples_lines(G)), end="")
    <https://w3id.org/kg/local/paper/P-1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/ScholarlyArticle> .
    <https://w3id.org/kg/local/paper/P-1> <https://w3id.org/kg/ontology#id> "P-1" .
    <https://w3id.org/kg/local/paper/P-1> <http://purl.org/dc/terms/title> "a\\nb" .
    """
    for block in ntriples_blocks(G, base_iri=base_iri):
        # split on "\n" only: literals may hold U+2028 or U+0085, which str.splitlines would cut at
        for line in block.split("\n")[:-1]:
            yield line + "\n"


def ntriples_blocks(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The same triples as :func:`ntriples_lines`, as one block of whole lines per node (faster).

    Every raw ``"\\n"`` in a block ends a triple (literals escape theirs), so
    ``block.count("\\n")`` counts triples and ``" .\\n"`` occurs only at line ends.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper")
    >>> [block.count("\\n") for block in ntriples_blocks(G)]
    [2]
    """
    for groups in node_groups(G, base_iri, turtle=False):
        yield "".join([f"{s} {f' .{_NL}{s} '.join(pos)} .\n" for s, pos in groups])


def turtle_blocks(G: nx.MultiDiGraph, *, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The same triples as :func:`ntriples_blocks` as Turtle statements, one block per node.

    The terms are prefixed names of :func:`~kg.export.rdf.vocab.prefixes`
    (which the caller declares), the triples of a subject one statement, one
    triple a line: as in N-Triples, every raw ``"\\n"`` ends a triple.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="a\\nb")
    >>> G.add_node("P~2", kind="paper")
    >>> print("".join(turtle_blocks(G)).replace("\\t", "  "), end="")
    paper:P-1 a schema:ScholarlyArticle ;
      kg:id "P-1" ;
      dcterms:title "a\\nb" .
    <https://w3id.org/kg/local/paper/P~2> a schema:ScholarlyArticle ;
      kg:id "P~2" .
    """
    for groups in node_groups(G, base_iri, turtle=True):
        yield "".join([f"{s} {_TTL_SEP.join(pos)} .\n" for s, pos in groups])
