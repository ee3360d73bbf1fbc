"""How a term is spelt: literals, and kg's vocabulary in N-Triples (``<IRI>``) or Turtle.

One literal syntax serves both formats: N-Triples escapes the four
characters its grammar forbids raw and other controls, and Turtle's
``"..."`` strings accept the same escapes. A vocabulary term is a full
``<IRI>`` in N-Triples and a prefixed name (``kg:weight``, ``a``) in Turtle;
an ``xsd:integer`` is ``"3"^^<...#integer>`` in N-Triples and ``3`` in
Turtle. :data:`NTRIPLES` and :data:`TURTLE` hold every term kg writes,
spelt once, with the predicate-object pairs that repeat on every node.

>>> literal('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
>>> NTRIPLES.weight, TURTLE.weight
('<https://w3id.org/kg/ontology#weight>', 'kg:weight')
>>> TURTLE.integer(3), NTRIPLES.integer(3)
('3', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from rdflib import namespace as _ns

from .iri import LOCAL_NAME
from .vocab import (
    BIBO,
    ENTITY_CLASS,
    KG,
    RELATION_KINDS,
    RELATION_PROPERTY,
    ROLE_PROPERTY,
    TERMS,
    VOCAB_PREFIXES,
    prefixes,
)

__all__ = ["NTRIPLES", "TURTLE", "Spelling", "literal"]

_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                 ord("\t"): "\\t"})

#: A relation evidence's keys and the kg: properties that hold them.
_EVIDENCE_PROPS = (("field", "field"), ("sentence", "sentence"), ("cue", "cue"), ("head", "headText"),
                   ("tail", "tailText"))


def literal(text: Any) -> str:
    """A plain string literal in N-Triples (and Turtle) syntax.

    >>> print(literal("tab\\there"))
    "tab\\there"
    """
    return '"' + str(text).translate(_ESCAPES) + '"'


def _spellings() -> tuple[dict[str, str], dict[str, str]]:
    """Every term of :data:`~kg.export.rdf.vocab.TERMS`: IRI -> N-Triples ``<IRI>`` and IRI -> Turtle name."""
    pfx = prefixes()
    nt, ttl = {}, {}
    for term in TERMS:
        iri = str(term)
        nt[iri] = f"<{iri}>"
        ttl[iri] = next(f"{p}:{iri[len(pfx[p]):]}" for p in VOCAB_PREFIXES
                        if iri.startswith(pfx[p]) and LOCAL_NAME.fullmatch(iri[len(pfx[p]):]))
    ttl[str(_ns.RDF.type)] = "a"
    return nt, ttl


class Spelling:
    """kg's vocabulary spelt for N-Triples, or for Turtle if *turtle*.

    Attributes are the terms themselves (``type``, ``title``, ``weight``...),
    maps from kg's names to terms (``role``, ``entity_class``, ``relation``)
    and the ``"predicate object"`` pairs every mention or relation node repeats.
    """

    def __init__(self, *, turtle: bool) -> None:
        terms = _TTL if turtle else _NT

        def t(term: Any) -> str:
            return terms[str(term)]

        self.turtle = turtle
        k = {name: t(getattr(KG, name)) for name in KG.__annotations__}
        #: kg: terms by local name (``kg["venue"]``).
        self.kg = k
        # a role's own property, written beside schema:mentions (which every paper -> entity link has)
        self.role = {r: t(p) for r, p in ROLE_PROPERTY.items() if p != _ns.SDO.mentions}
        self.relation = {e: t(p) for e, p in RELATION_PROPERTY.items()}
        self.relation_name = RELATION_KINDS
        self.entity_class = {ty: t(c) for ty, c in ENTITY_CLASS.items()}
        self.type, self.skos_concept, self.mentions = t(_ns.RDF.type), t(_ns.SKOS.Concept), t(_ns.SDO.mentions)
        self.derived, self.title = t(_ns.PROV.wasDerivedFrom), t(_ns.DCTERMS.title)
        self.abstract, self.creator = t(_ns.DCTERMS.abstract), t(_ns.DCTERMS.creator)
        self.date, self.identifier, self.url, self.doi = (t(_ns.DCTERMS.date), t(_ns.DCTERMS.identifier),
                                                          t(_ns.SDO.url), t(BIBO.doi))
        self.pref_label, self.alt_label = t(_ns.SKOS.prefLabel), t(_ns.SKOS.altLabel)
        self.subject, self.object = t(_ns.RDF.subject), t(_ns.RDF.object)
        self.article, self.any_uri, self.double = t(_ns.SDO.ScholarlyArticle), t(_ns.XSD.anyURI), t(_ns.XSD.double)
        self.xsd_date, self.xsd_year_month, self.xsd_year = (t(_ns.XSD.date), t(_ns.XSD.gYearMonth),
                                                             t(_ns.XSD.gYear))
        # an xsd:integer is "<lexical>"^^<...#integer> in N-Triples, the bare number in Turtle
        self.int_open, self.int_close = ("", "") if turtle else ('"', f'"^^{t(_ns.XSD.integer)}')
        self.id = k["id"]
        self.mention_of, self.mention_role, self.field = k["mentionOf"], k["role"], k["field"]
        self.start, self.end, self.text, self.sentence = k["start"], k["end"], k["text"], k["sentence"]
        self.sentence_start, self.extracted_by, self.confidence = k["sentenceStart"], k["extractedBy"], \
            k["confidence"]
        self.weight, self.evidence = k["weight"], k["evidence"]
        self.evidence_type = f"{self.type} {k['RelationEvidence']}"
        self.evidence_props = [(key, k[prop]) for key, prop in _EVIDENCE_PROPS]
        # predicate-objects every mention or relation node starts with
        self.mention_type = f"{self.type} {k['Mention']}"
        self.relation_type = f"{self.type} {k['Relation']}"
        self.statement_type = f"{self.type} {t(_ns.RDF.Statement)}"
        self.relation_predicate = {e: f"{t(_ns.RDF.predicate)} {p}" for e, p in self.relation.items()}

    def integer(self, x: Any) -> str:
        """An ``xsd:integer`` literal.

        >>> NTRIPLES.integer("7")
        '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
        """
        return f"{self.int_open}{int(x)}{self.int_close}"

    def double_literal(self, x: Any) -> str:
        """An ``xsd:double`` literal (``NaN``, ``INF`` and ``-INF`` included).

        >>> TURTLE.double_literal(0.5), TURTLE.double_literal(float("-inf"))
        ('"0.5"^^xsd:double', '"-INF"^^xsd:double')
        """
        x = float(x)
        lex = "NaN" if math.isnan(x) else ("INF" if x > 0 else "-INF") if math.isinf(x) else repr(x)
        return f'"{lex}"^^{self.double}'

    def date_literal(self, value: str) -> str:
        """``xsd:date`` / ``xsd:gYearMonth`` / ``xsd:gYear`` when *value* is one, else a plain literal.

        >>> TURTLE.date_literal("2020-02"), TURTLE.date_literal("spring 2020")
        ('"2020-02"^^xsd:gYearMonth', '"spring 2020"')
        """
        v = value.strip()
        try:
            if len(v) == 10:
                _dt.date.fromisoformat(v)
                return f'"{v}"^^{self.xsd_date}'
            if len(v) == 7 and v[4] == "-" and v[:4].isdigit() and 1 <= int(v[5:]) <= 12:
                return f'"{v}"^^{self.xsd_year_month}'
            if len(v) == 4 and v.isdigit():
                return f'"{v}"^^{self.xsd_year}'
        except ValueError:
            pass
        return literal(value)


_NT, _TTL = _spellings()
#: The vocabulary as N-Triples writes it.
NTRIPLES = Spelling(turtle=False)
#: The vocabulary as Turtle and TriG write it.
TURTLE = Spelling(turtle=True)
