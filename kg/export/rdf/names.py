"""How one export spells its nodes' IRIs: paper, entity, mention and relation names, worked out once.

A node's IRI is ``paper:<id>`` or ``entity:<id>`` in Turtle when the id is a
Turtle local name, else a full ``<IRI>``; the parts that mention and
relation IRIs are made of are remembered too, as are the few literals that
repeat on every mention.

>>> import networkx as nx
>>> from kg.export.rdf.terms import TURTLE
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper"); G.add_node("P~2", kind="paper")
>>> names = Names(G, "https://example.org/kg/", TURTLE)
>>> names.iri("P-1"), names.iri("P~2")
('paper:P-1', '<https://example.org/kg/paper/P~2>')
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ...graph import PAPER
from .iri import LOCAL_BODY, LOCAL_NAME, LOCAL_TAIL, dataset_iri, segment
from .terms import Spelling, literal

__all__ = ["Group", "Names"]

#: One subject and its ``"predicate object"`` pairs.
Group = tuple[str, list[str]]


class Names:
    """How one export spells node, mention and relation IRIs, each node's worked out once."""

    def __init__(self, G: nx.MultiDiGraph, base_iri: str, sp: Spelling) -> None:
        self.nodes = G.nodes
        self.base_iri = base_iri
        self.turtle = sp.turtle
        self.object = sp.object
        self.mention_iri, self.relation_iri = f"<{base_iri}mention/", f"<{base_iri}relation/"
        self.dataset = f"<{dataset_iri(base_iri)}>"
        self.segs: dict[Any, str] = {}
        self.iris: dict[Any, str] = {}
        self.targets: dict[Any, tuple[str, str, str, bool]] = {}
        self.weights: dict[Any, str] = {}  # weight -> its predicate-object
        self.small: dict[Any, str] = {}  # literals that repeat everywhere: roles, fields, extractors
        self.fields: dict[Any, tuple[str, bool]] = {}

    def seg(self, n: Any) -> str:
        """The node's id as an IRI segment."""
        x = self.segs.get(n)
        if x is None:
            x = self.segs[n] = segment(n)
        return x

    def iri(self, n: Any) -> str:
        """The node's IRI: ``paper:<id>`` or ``entity:<id>`` in Turtle when the id allows, else ``<IRI>``."""
        iri = self.iris.get(n)
        if iri is None:
            ns = "paper" if self.nodes[n].get("kind") == PAPER else "entity"
            local = self.seg(n)
            if self.turtle and LOCAL_NAME.fullmatch(local):
                iri = self.iris[n] = f"{ns}:{local}"
            else:
                iri = self.iris[n] = f"<{self.base_iri}{ns}/{local}>"
        return iri

    def target(self, n: Any) -> tuple[str, str, str, bool]:
        """(IRI, "rdf:object IRI", IRI segment, may it end a local name) of a relation's object."""
        x = self.targets.get(n)
        if x is None:
            o = self.iri(n)
            seg = self.seg(n)
            x = self.targets[n] = (o, f"{self.object} {o}", seg,
                                   self.turtle and LOCAL_TAIL.fullmatch(seg) is not None)
        return x

    def literal(self, x: Any) -> str:
        """:func:`~kg.export.rdf.terms.literal`, remembered (for the few values that repeat everywhere)."""
        v = self.small.get(x)
        if v is None:
            v = self.small[x] = literal(x)
        return v

    def field(self, field: Any) -> tuple[str, bool]:
        """(IRI segment, may it stand inside a local name) of a mention's field."""
        x = self.fields.get(field)
        if x is None:
            fs = segment(field)
            x = self.fields[field] = (fs, LOCAL_BODY.fullmatch(fs) is not None)
        return x
