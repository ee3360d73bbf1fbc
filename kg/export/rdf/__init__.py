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
* every paper -> entity link is ``schema:mentions``, and a role is also its
  own property beside it: ``kg:proposes``, ``kg:evaluatesOn``, ``kg:uses``
  (sub-properties of ``schema:mentions``), so no query needs inference;
* every mention is a ``kg:Mention`` node, ``prov:wasDerivedFrom`` its paper,
  with its field, offsets, text, sentence, extractor and confidence;
* ``kg:usedFor`` and ``kg:evaluatedOn`` link entities directly, and a
  ``kg:Relation`` node (an ``rdf:Statement``) per link carries its
  ``kg:weight`` and ``kg:evidence``;
* co-occurrence is not written pair by pair: SPARQL counts the papers that
  mention both entities, and ``<base>dataset kg:minCooccurrence N`` says how
  many make a pair (:mod:`~kg.export.rdf.queries` has the queries).

IRIs come from kg's ids only (percent-encoded), never from raw text, and no
blank nodes are used, so the same graph always gives byte-identical files.

One module per job:

* :mod:`~kg.export.rdf.vocab`: the ``kg:`` and ``bibo:`` namespaces, :func:`prefixes`,
  the shipped ontology and shapes, which term says what;
* :mod:`~kg.export.rdf.iri`: paper, entity and graph IRIs, base-IRI checks, Turtle local names;
* :mod:`~kg.export.rdf.terms`: literals, and the vocabulary spelt for N-Triples or Turtle;
* :mod:`~kg.export.rdf.names`: how one export spells its nodes' IRIs;
* :mod:`~kg.export.rdf.triples`: the triples of a graph, node by node, as N-Triples lines
  or Turtle statements; :mod:`~kg.export.rdf.relations` those between entities;
* :mod:`~kg.export.rdf.queries`: named SPARQL queries (the README's), answering like the query API;
* :mod:`~kg.export.rdf.writers`: :func:`write_rdf` in the five :data:`RDF_FORMATS`;
* :mod:`~kg.export.rdf.jsonld`: the JSON-LD writer.

>>> from kg.graph import build_graph
>>> from kg.types import Paper, Mention
>>> p = Paper(id="P-1", title='Say "hi"', abstract="We use BERT.")
>>> m = Mention("P-1", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0, role="uses")
>>> G = build_graph([(p, [m], [])])
>>> g = graph_to_rdf(G)
>>> from rdflib.namespace import DCTERMS, SDO
>>> str(g.value(paper_iri("P-1"), DCTERMS.title))
'Say "hi"'
>>> bert = entity_iri("method-2300a13449936cae")
>>> (paper_iri("P-1"), KG.uses, bert) in g and (paper_iri("P-1"), SDO.mentions, bert) in g
True
"""

from __future__ import annotations

from .iri import DEFAULT_BASE_IRI, default_graph_iri, entity_iri, paper_iri
from .triples import ntriples_blocks, ntriples_lines
from .vocab import BIBO, KG, ontology_path, prefixes, shapes_path
from .writers import RDF_FORMATS, graph_to_rdf, write_rdf

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
