"""Named SPARQL queries over kg's RDF: the README's examples, kept here so they cannot drift.

Each query declares its prefixes, so it runs unchanged in the embedded store
(``kg sparql``, :meth:`kg.query.KnowledgeGraph.sparql`) and on a server the
graph was pushed to. The entity is chosen by its kg id in a ``VALUES``
line (ImageNet of the seed build, :data:`EXAMPLE_ENTITY`); :func:`for_entity`
puts another id there. The answers are those of the query API:

* :data:`NEIGHBOURS`: :meth:`~kg.query.KnowledgeGraph.neighbors` (one hop):
  the papers that mention the entity, the entities it has a typed relation
  with (either way), and the entities it co-occurs with;
* :data:`PAPERS`: :meth:`~kg.query.KnowledgeGraph.papers`, in its order;
* :data:`RELATED`: :meth:`~kg.query.KnowledgeGraph.related`, the ten
  entities that share the most papers with it;
* :data:`COOCCURRENCE`: a ``CONSTRUCT`` of every ``kg:coOccursWith`` pair with
  its weight as a ``kg:Relation`` node, for a store that wants them materialised.

Co-occurrence is not exported pair by pair: two entities co-occur when at
least ``kg:minCooccurrence`` papers (stated once, on ``<base>dataset``)
``schema:mentions`` both, and the queries count those papers.

Print one (for ``kg sparql`` or a server's query form)::

    python -m kg.export.rdf.queries neighbours dataset-f623d5632f2a4c42

>>> sorted(QUERIES)
['cooccurrence', 'neighbours', 'papers', 'related']
>>> 'VALUES ?entity { "task-x" }' in for_entity(NEIGHBOURS, "task-x")
True
"""

from __future__ import annotations

import sys

from .terms import literal

__all__ = ["COOCCURRENCE", "EXAMPLE_ENTITY", "NEIGHBOURS", "PAPERS", "QUERIES", "RELATED", "for_entity"]

#: The entity the queries name as an example: ImageNet, in the seed build.
EXAMPLE_ENTITY = "dataset-f623d5632f2a4c42"
_EXAMPLE_VALUES = f"VALUES ?entity {{ {literal(EXAMPLE_ENTITY)} }}"

NEIGHBOURS = f"""\
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>

# Neighbours of an entity, as `kg query neighbors` finds them
SELECT ?id ?label WHERE {{
  {{
    SELECT ?n (COUNT(?link) AS ?links) (COUNT(DISTINCT ?paper) AS ?shared) WHERE {{
      {_EXAMPLE_VALUES}
      ?e kg:id ?entity .
      {{ ?e ?link ?n }} UNION {{ ?n ?link ?e }}      # linked to it, either way
      UNION {{ ?paper schema:mentions ?e, ?n . FILTER (?n != ?e) }}   # in the same papers
    }} GROUP BY ?n
  }}
  ?n kg:id ?id .                        # a paper or an entity, not a mention or relation node
  OPTIONAL {{ ?dataset kg:minCooccurrence ?min }}
  FILTER (?links > 0 || ?shared >= COALESCE(?min, 1))
  OPTIONAL {{ ?n skos:prefLabel|dcterms:title ?label }}
}}
ORDER BY ?id
"""

PAPERS = f"""\
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>

# Papers of an entity, the ones that propose it first, as `kg query papers` lists them
SELECT ?id ?title ?role (COUNT(?mention) AS ?mentions) WHERE {{
  {_EXAMPLE_VALUES}
  ?e kg:id ?entity .
  ?paper schema:mentions ?e ; kg:id ?id .
  ?mention kg:mentionOf ?e ; prov:wasDerivedFrom ?paper .
  OPTIONAL {{ ?paper dcterms:title ?title }}
  OPTIONAL {{
    ?paper ?property ?e .
    VALUES (?property ?name ?rank) {{
      (kg:proposes "proposes" 0) (kg:evaluatesOn "evaluates_on" 1) (kg:uses "uses" 2)
    }}
  }}
  BIND (COALESCE(?name, "mentions") AS ?role)
  BIND (COALESCE(?rank, 3) AS ?order)
}}
GROUP BY ?id ?title ?role ?order
ORDER BY ?order DESC(?mentions) LCASE(COALESCE(?title, ?id)) ?id
"""

RELATED = f"""\
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# The entities that share the most papers with an entity, as `kg query related` ranks them
SELECT ?id ?label (COUNT(DISTINCT ?paper) AS ?papers) WHERE {{
  {_EXAMPLE_VALUES}
  ?e kg:id ?entity .
  ?paper schema:mentions ?e, ?other .
  FILTER (?other != ?e)
  ?other kg:id ?id ; skos:prefLabel ?label ; kg:paperCount ?count .
  OPTIONAL {{ ?dataset kg:minCooccurrence ?min }}
}}
GROUP BY ?id ?label ?count ?min
HAVING (COUNT(DISTINCT ?paper) >= COALESCE(?min, 1))
ORDER BY DESC(?papers) DESC(?count) LCASE(?label) ?id
LIMIT 10
"""

COOCCURRENCE = """\
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX schema: <https://schema.org/>

# Every co-occurring pair, materialised: a direct link and a kg:Relation node with its weight
CONSTRUCT {
  ?a kg:coOccursWith ?b .
  ?relation a kg:Relation ; kg:weight ?weight .
  ?relation <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?a ;
    <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> kg:coOccursWith ;
    <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?b .
} WHERE {
  {
    SELECT ?a ?b (COUNT(DISTINCT ?paper) AS ?weight) WHERE {
      ?paper schema:mentions ?a, ?b .
      ?a kg:id ?aid . ?b kg:id ?bid .
      FILTER (?aid < ?bid)
    } GROUP BY ?a ?b
  }
  OPTIONAL { ?dataset kg:minCooccurrence ?min }
  FILTER (?weight >= COALESCE(?min, 1))
  BIND (IRI(CONCAT(STRBEFORE(STR(?a), "entity/"), "relation/", STRAFTER(STR(?a), "entity/"),
                   ".coOccursWith.", STRAFTER(STR(?b), "entity/"))) AS ?relation)
}
"""

#: The queries by name (``python -m kg.export.rdf.queries NAME``).
QUERIES: dict[str, str] = {"neighbours": NEIGHBOURS, "papers": PAPERS, "related": RELATED,
                           "cooccurrence": COOCCURRENCE}


def for_entity(query: str, entity_id: str) -> str:
    """*query* about the entity with kg id *entity_id* instead of :data:`EXAMPLE_ENTITY`.

    >>> print(for_entity('VALUES ?entity { "dataset-f623d5632f2a4c42" }', 'say "hi"'))
    VALUES ?entity { "say \\"hi\\"" }
    """
    return query.replace(_EXAMPLE_VALUES, f"VALUES ?entity {{ {literal(entity_id)} }}")


def main(argv: list[str]) -> int:
    """Print the query *argv[0]*, about the entity *argv[1]* if given."""
    if not argv or argv[0] not in QUERIES or len(argv) > 2:
        print(f"usage: python -m kg.export.rdf.queries {{{','.join(QUERIES)}}} [ENTITY_ID]", file=sys.stderr)
        return 2
    query = QUERIES[argv[0]]
    print(for_entity(query, argv[1]) if len(argv) == 2 else query, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
