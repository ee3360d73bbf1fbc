"""kg's vocabulary: its ontology's terms, the terms it borrows, prefixes, and which term says what.

``kg:`` (:class:`KG`) is kg's small ontology, shipped as
``kg/export/ontology.ttl`` with SHACL shapes in ``kg/export/shapes.ttl``;
the rest comes from schema.org, Dublin Core, SKOS, PROV and one term of
BIBO (:class:`BIBO`). The maps say which class an entity type becomes and
which property a paper's role or an entity-to-entity edge becomes.

>>> str(KG.proposes)
'https://w3id.org/kg/ontology#proposes'
>>> ENTITY_CLASS["dataset"] == KG.Dataset
True
>>> RELATION_PROPERTY["used_for"] == KG.usedFor
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rdflib import namespace as _ns
from rdflib.term import URIRef

from ...graph import EVALUATED_ON, USED_FOR
from .iri import DEFAULT_BASE_IRI

__all__ = [
    "BIBO",
    "ENTITY_CLASS",
    "KG",
    "ONTOLOGY_IRI",
    "RELATION_KINDS",
    "RELATION_PROPERTY",
    "ROLE_PROPERTY",
    "TERMS",
    "VOCAB_PREFIXES",
    "ontology_path",
    "prefixes",
    "shapes_path",
]


#: The ontology's permanent IRI: a w3id.org identifier that redirects to the shipped ontology.ttl.
ONTOLOGY_IRI = "https://w3id.org/kg/ontology"


class KG(_ns.DefinedNamespace):
    """kg's small ontology (shipped as ``kg/export/ontology.ttl``). Closed: a typo raises."""

    _fail = True
    _NS = _ns.Namespace(ONTOLOGY_IRI + "#")

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
    coOccursWith: URIRef  # Both entities occur in enough papers (derived by SPARQL, not exported).
    # node attributes
    id: URIRef  # kg's stable id of a paper or entity.
    key: URIRef  # The canonical key an entity was merged on.
    paperCount: URIRef  # How many papers mention the entity.
    mentionCount: URIRef  # How many mentions the entity has.
    venue: URIRef  # Where the paper appeared, as given by the input.
    sourceRecord: URIRef  # The file:line a paper was read from.
    minCooccurrence: URIRef  # How many papers two entities must share to co-occur.
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
    cue: URIRef  # The cue phrase that matched; a learned relation has none.
    headText: URIRef  # The text of the relation's head mention.
    tailText: URIRef  # The text of the relation's tail mention.


class BIBO(_ns.DefinedNamespace):
    """The one term kg uses from the Bibliographic Ontology."""

    _fail = True
    _NS = _ns.Namespace("http://purl.org/ontology/bibo/")

    doi: URIRef  # The paper's DOI, as a literal.


#: An entity's ``type`` -> its class (each also typed ``skos:Concept``).
ENTITY_CLASS = {"method": KG.Method, "dataset": KG.Dataset, "task": KG.Task, "metric": KG.Metric,
                "concept": KG.Concept}
#: A mention's role -> the paper-to-entity property.
ROLE_PROPERTY = {"proposes": KG.proposes, "evaluates_on": KG.evaluatesOn, "uses": KG.uses,
                 "mentions": _ns.SDO.mentions}
#: An entity-to-entity edge key of kg.graph -> the local name of its ``kg:`` property, which also
#: names its ``kg:Relation`` nodes. A new relation kind is one entry here (and its declaration in
#: ontology.ttl and shapes.ttl, which the tests check). ``co_occurs`` is not one: co-occurrence is
#: derived from the papers' ``schema:mentions`` (see :mod:`kg.export.rdf.queries`).
RELATION_KINDS: dict[str, str] = {USED_FOR: "usedFor", EVALUATED_ON: "evaluatedOn", "feature_of": "featureOf",
                                  "hyponym_of": "hyponymOf", "part_of": "partOf",
                                  "compared_with": "comparedWith", "conjunction": "conjunction"}
#: An entity-to-entity edge key -> its property.
RELATION_PROPERTY: dict[str, URIRef] = {k: KG._NS[name] for k, name in RELATION_KINDS.items()}

#: Every term and datatype kg writes.
TERMS: tuple[URIRef, ...] = (
    _ns.RDF.type, _ns.RDF.Statement, _ns.RDF.subject, _ns.RDF.predicate, _ns.RDF.object,
    _ns.SDO.ScholarlyArticle, _ns.SDO.mentions, _ns.SDO.url, _ns.DCTERMS.title, _ns.DCTERMS.abstract,
    _ns.DCTERMS.creator, _ns.DCTERMS.date, _ns.DCTERMS.identifier, BIBO.doi, _ns.SKOS.Concept,
    _ns.SKOS.prefLabel, _ns.SKOS.altLabel, _ns.PROV.wasDerivedFrom, _ns.XSD.integer, _ns.XSD.double,
    _ns.XSD.date, _ns.XSD.gYearMonth, _ns.XSD.gYear, _ns.XSD.anyURI,
    *(getattr(KG, name) for name in KG.__annotations__),
    *(p for p in RELATION_PROPERTY.values() if p.removeprefix(str(KG._NS)) not in KG.__annotations__),
)

#: Namespaces of the vocabulary (the rest of :func:`prefixes` depends on the base IRI).
VOCAB_PREFIXES = ("kg", "schema", "dcterms", "skos", "prov", "bibo", "rdf", "rdfs", "xsd")


def prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """Prefixes used in Turtle, TriG, JSON-LD contexts and ``kg sparql`` queries.

    >>> prefixes()["kg"]
    'https://w3id.org/kg/ontology#'
    >>> prefixes("https://example.org/kg/")["paper"]
    'https://example.org/kg/paper/'
    """
    return {
        "kg": str(KG._NS), "schema": str(_ns.SDO._NS), "dcterms": str(_ns.DCTERMS._NS),
        "skos": str(_ns.SKOS._NS), "prov": str(_ns.PROV._NS), "bibo": str(BIBO._NS),
        "rdf": str(_ns.RDF._NS), "rdfs": str(_ns.RDFS._NS), "xsd": str(_ns.XSD._NS),
        "paper": f"{base_iri}paper/", "entity": f"{base_iri}entity/",
        "mention": f"{base_iri}mention/", "rel": f"{base_iri}relation/",
    }


def ontology_path() -> Path:
    """Path of the shipped ontology (Turtle).

    >>> ontology_path().name
    'ontology.ttl'
    """
    return Path(str(resources.files("kg.export").joinpath("ontology.ttl")))


def shapes_path() -> Path:
    """Path of the shipped SHACL shapes (Turtle).

    >>> shapes_path().exists()
    True
    """
    return Path(str(resources.files("kg.export").joinpath("shapes.ttl")))
