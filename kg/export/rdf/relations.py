"""Entity-to-entity triples: typed relations as ``kg:Relation`` nodes, and the co-occurrence threshold.

A typed relation (``used_for``, ``evaluated_on``, any kind in
:data:`~kg.export.rdf.vocab.RELATION_KINDS`) is one direct triple on its head
entity (written there) and one ``kg:Relation`` node, an ``rdf:Statement``
with its ``kg:weight``, linking a ``kg:RelationEvidence`` node per sentence
that supports it (:func:`relation_groups`).

Co-occurrence is not written pair by pair: two entities co-occur when enough
papers ``schema:mentions`` both, which SPARQL derives (see
:mod:`kg.export.rdf.queries`). How many papers are enough is the one thing
the triples cannot say, so :class:`Cooccurrence` states it once, as
``<base>dataset kg:minCooccurrence N``.

>>> c = Cooccurrence()
>>> c.paper({"dataset-a": {"mention": {}}, "task-b": {"mention": {}}})
>>> c.relations({"task-b": {"co_occurs": {"weight": 2}}}) == {}
True
>>> c.threshold()
2
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ...graph import CO_OCCURS, MENTION
from .iri import LOCAL_HEAD
from .names import Group, Names
from .terms import Spelling, literal

__all__ = ["Cooccurrence", "relation_groups"]

_TTL_SEP = " ;\n\t"

#: A node's adjacency: target -> edge key -> edge data.
Adjacency = dict[Any, dict[str, dict[str, Any]]]


class Cooccurrence:
    """What the graph's ``co_occurs`` edges say beyond the papers' links: how many shared papers make one.

    The build keeps a pair when at least ``--min-cooccurrence`` papers mention
    both. The smallest weight kept is as good as that threshold: no pair
    shares fewer papers than it and more than the threshold (such a pair
    would have been kept). With no ``co_occurs`` edge while some paper
    mentions two entities, co-occurrence was switched off: the threshold
    is then one more than the number of papers.
    """

    def __init__(self) -> None:
        self.papers = 0
        self.pairs = False  # does some paper mention two entities?
        self.entities = 0
        self.low: int | None = None  # the smallest co_occurs weight

    def paper(self, succ: Adjacency) -> None:
        """Count a paper (its adjacency)."""
        self.papers += 1
        if not self.pairs and sum(1 for keys in succ.values() if MENTION in keys) > 1:
            self.pairs = True

    def relations(self, succ: Adjacency) -> Adjacency:
        """An entity's adjacency without its ``co_occurs`` edges, whose weights it notes."""
        self.entities += 1
        out: Adjacency = {}
        low = self.low
        for v, keys in succ.items():
            cooc = keys.get(CO_OCCURS)
            if cooc is not None:
                w = cooc.get("weight", 1)
                if low is None or w < low:
                    low = w
                if len(keys) == 1:
                    continue
                keys = {k: d for k, d in keys.items() if k != CO_OCCURS}
            out[v] = keys
        self.low = low
        return out

    def threshold(self) -> int:
        """``kg:minCooccurrence``: how many papers two entities must share to co-occur."""
        if self.low is not None:
            return int(self.low)
        return self.papers + 1 if self.pairs else 1

    def group(self, names: Names, sp: Spelling) -> Group:
        """The export's description: ``<base>dataset kg:minCooccurrence N``."""
        return (names.dataset, [f"{sp.kg['minCooccurrence']} {sp.integer(self.threshold())}"])


def relation_groups(G: nx.MultiDiGraph, groups: list[Group], n: Any,
                    rels: list[tuple[Any, str, dict[str, Any], tuple[str, str, str, bool]]],
                    names: Names, sp: Spelling) -> None:
    """Append a ``kg:Relation`` node (an ``rdf:Statement``) per typed relation of entity *n*.

    Its IRI is ``rel:<entity>.<relation>.<entity>`` (a Turtle name when the
    ids allow, else a full ``<IRI>``); it carries the edge's weight and links
    its evidence nodes.
    """
    nseg = names.seg(n)
    n_head = names.turtle and LOCAL_HEAD.fullmatch(nseg) is not None
    subject = f"{sp.subject} {names.iri(n)}"
    relation_iri, relation_name = names.relation_iri, sp.relation_name
    weights, weight, int_open, int_close = names.weights, sp.weight, sp.int_open, sp.int_close
    # The statement's first four predicate-objects only depend on this node and the relation:
    # in Turtle they are joined once per relation kind.
    heads: dict[str, list[str]] = {}
    for _v, k, d, (_o, o_term, v_seg, v_tail) in rels:
        r = f"{nseg}.{relation_name[k]}.{v_seg}"
        r_open, r_close = ("rel:", "") if n_head and v_tail else (relation_iri, ">")
        head = heads.get(k)
        if head is None:
            head = heads[k] = [sp.relation_type, sp.statement_type, subject, sp.relation_predicate[k]]
            if names.turtle:
                head[:] = [_TTL_SEP.join(head)]
        rpo = [*head, o_term]
        groups.append((f"{r_open}{r}{r_close}", rpo))
        w = d.get("weight")
        if w is not None:
            w_term = weights.get(w)
            if w_term is None:
                w_term = weights[w] = f"{weight} {int_open}{int(w)}{int_close}"
            rpo.append(w_term)
        evidence = d.get("evidence")
        if evidence:
            _evidence_groups(G, groups, rpo, f"{r_open}{r}", r_close, evidence, names, sp)


def _evidence_groups(G: nx.MultiDiGraph, groups: list[Group], rpo: list[str], r_stem: str, r_close: str,
                     evidence: list[dict[str, Any]], names: Names, sp: Spelling) -> None:
    """Link a relation (its predicate-objects *rpo*) to ``<relation>.e1``, ``.e2``... and append those nodes."""
    for i in range(1, len(evidence) + 1):
        rpo.append(f"{sp.evidence} {r_stem}.e{i}{r_close}")
    for i, ev in enumerate(evidence, 1):
        xpo = [sp.evidence_type]
        groups.append((f"{r_stem}.e{i}{r_close}", xpo))
        if ev.get("paper") is not None and ev["paper"] in G:
            xpo.append(f"{sp.derived} {names.iri(ev['paper'])}")
        for key, prop in sp.evidence_props:
            value = ev.get(key)
            if value is not None and not (key == "cue" and value == ""):  # "": a learned relation (older graphs)
                xpo.append(f"{prop} {literal(value)}")
