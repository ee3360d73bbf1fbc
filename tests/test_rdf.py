"""RDF export: vocabulary, IRIs, every format's round trip, SHACL, hostile strings, determinism."""

from __future__ import annotations

import itertools
import subprocess
import sys
import warnings
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.errors import ArgumentError, ExportError
from kg.export.json import write_graph
from kg.export.rdf import (
    DEFAULT_BASE_IRI,
    KG,
    RDF_FORMATS,
    default_graph_iri,
    entity_iri,
    graph_to_rdf,
    ntriples_lines,
    ontology_path,
    paper_iri,
    prefixes,
    shapes_path,
    write_rdf,
)
from kg.export.rdf.vocab import RELATION_PROPERTY, ROLE_PROPERTY
from kg.graph import build_graph
from kg.normalize import canonical_key, entity_id

from .helpers import HOSTILE_AUTHOR, HOSTILE_ENTITY, HOSTILE_TITLE, IN_CI, S1, S2, corpus

SDO = rdflib.Namespace("https://schema.org/")  # rdflib's SDO warns when pytest probes module attributes

# rdflib's own parsers use its deprecated ConjunctiveGraph internally
pytestmark = pytest.mark.filterwarnings("ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")


@pytest.fixture(scope="module")
def G():
    return build_graph(corpus())


@pytest.fixture(scope="module")
def ref(G):
    return graph_to_rdf(G)


def _rdflib_parse(path: Path, fmt: str) -> rdflib.Graph:
    name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "trig": "trig", "nquads": "nquads"}[fmt]
    if RDF_FORMATS[fmt][2]:
        ds = rdflib.Dataset()
        ds.parse(path, format=name)
        return ds.graph(rdflib.URIRef(default_graph_iri()))
    g = rdflib.Graph()
    g.parse(path, format=name)
    return g


def _ox_triples(path: Path) -> set[str]:
    fmt = ox.RdfFormat.from_extension(path.suffix[1:])
    return {str(q.triple) for q in ox.parse(path=str(path), format=fmt)}


# ----------------------------------------------------------------------------- vocabulary


def test_vocabulary_is_closed():
    assert KG.Method == rdflib.URIRef("https://w3id.org/kg/ontology#Method")
    with pytest.raises(AttributeError):
        KG.Methd  # noqa: B018  a typo must fail, not mint a new term


def test_ontology_defines_every_term_with_label_and_comment():
    onto = rdflib.Graph().parse(ontology_path())
    defined = {s for s in onto.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(str(KG._NS))}
    terms = {getattr(KG, name) for name in KG.__annotations__} | set(RELATION_PROPERTY.values())
    assert defined == terms
    for t in terms:
        assert onto.value(t, RDFS.label) is not None, t
        assert onto.value(t, RDFS.comment) is not None, t
        assert (t, RDF.type, None) in onto, t
    for cls in (KG.Method, KG.Dataset, KG.Task, KG.Metric, KG.Concept):
        assert (cls, RDFS.subClassOf, SKOS.Concept) in onto
    for prop in (KG.proposes, KG.uses, KG.evaluatesOn):
        assert (prop, RDFS.subPropertyOf, SDO.mentions) in onto
    assert (None, RDF.type, OWL.Ontology) in onto


def test_shapes_parse_and_ship_with_the_package():
    shapes = rdflib.Graph().parse(shapes_path())
    assert len(shapes) > 50
    # a relation's rdf:predicate is one of the typed relation properties (a new kind needs its entry there)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    prop = next(p for p in shapes.subjects(sh.path, RDF.predicate))
    allowed = set(Collection(shapes, shapes.value(prop, sh["in"])))
    assert allowed == set(RELATION_PROPERTY.values())
    assert shapes_path().parent == ontology_path().parent == Path(__import__("kg.export").export.__file__).parent


# ----------------------------------------------------------------------------- content


def test_papers_entities_roles_and_evidence(G, ref):
    p1 = paper_iri("P-1")
    foonet = entity_iri(entity_id("method", canonical_key("FooNet")))
    imagenet = entity_iri(entity_id("dataset", canonical_key("ImageNet")))
    task = entity_iri(entity_id("task", canonical_key("image classification")))
    assert (p1, RDF.type, SDO.ScholarlyArticle) in ref
    assert str(ref.value(p1, DCTERMS.title)) == "FooNet"
    assert str(ref.value(p1, DCTERMS.abstract)) == S1 + " " + S2
    assert {str(a) for a in ref.objects(p1, DCTERMS.creator)} == {"A. Author", "B. Author"}
    assert ref.value(p1, DCTERMS.date) == rdflib.Literal("2024-03-12", datatype=rdflib.XSD.date)
    assert ref.value(p1, SDO.url) == rdflib.URIRef("https://example.org/papers/1?x=1&y=2")
    assert str(ref.value(p1, DCTERMS.identifier)) == "arXiv:2403.00001"
    # a URL that is not an IRI stays, as a literal
    assert ref.value(paper_iri("P-2"), SDO.url) == rdflib.Literal("not a url <>", datatype=rdflib.XSD.anyURI)
    # entities: kg class + skos:Concept, labels
    assert (foonet, RDF.type, KG.Method) in ref and (foonet, RDF.type, SKOS.Concept) in ref
    assert str(ref.value(foonet, SKOS.prefLabel)) == "FooNet"
    assert ref.value(foonet, KG.paperCount).toPython() == 2
    # roles are properties
    assert (p1, KG.proposes, foonet) in ref
    assert (p1, KG.evaluatesOn, imagenet) in ref
    assert (p1, SDO.mentions, task) in ref
    # relations: direct link + reified node with weight and evidence
    assert (foonet, KG.usedFor, task) in ref
    assert (foonet, KG.evaluatedOn, imagenet) in ref
    rel = next(ref.subjects(RDF.predicate, KG.evaluatedOn))
    assert (rel, RDF.subject, foonet) in ref and ref.value(rel, KG.weight).toPython() == 1
    ev = ref.value(rel, KG.evidence)
    assert str(ref.value(ev, KG.cue)) == "reaches 90% accuracy on"
    assert ref.value(ev, rdflib.PROV.wasDerivedFrom) == p1
    # every paper -> entity link is schema:mentions, the role's property beside it
    links = [(u, v, d["role"]) for u, v, k, d in G.edges(keys=True, data=True) if k == "mention"]
    assert len(links) == len(set(ref.subject_objects(SDO.mentions))) == 8
    for u, v, role in links:
        assert (paper_iri(u), SDO.mentions, entity_iri(v)) in ref
        props = {p for p in ref.predicates(paper_iri(u), entity_iri(v))}
        assert props == {SDO.mentions} | ({ROLE_PROPERTY[role]} if role != "mentions" else set()), (u, v, role)
    # co-occurrence is derived, not exported: only its threshold is stated
    typed = sum(1 for *_, k in G.edges(keys=True) if k in RELATION_PROPERTY)
    assert not list(ref.subject_objects(KG.coOccursWith)) and len(set(ref.subjects(RDF.type, RDF.Statement))) == typed
    assert list(ref.subject_objects(KG.minCooccurrence)) == [(rdflib.URIRef(DEFAULT_BASE_IRI + "dataset"),
                                                              rdflib.Literal(1))]


def test_no_empty_cue_even_from_an_older_graph(tmp_path):
    # a learned relation has no cue; graphs built before its evidence left the key out say "cue": ""
    G = build_graph(corpus())
    for _, _, k, d in G.edges(keys=True, data=True):
        if k in RELATION_PROPERTY:
            for ev in d["evidence"]:
                ev["cue"] = ""
    write_rdf(G, tmp_path / "g.nt", format="ntriples")
    cues = [t for t in rdflib.Graph().parse(tmp_path / "g.nt", format="nt").triples((None, KG.cue, None))]
    assert cues == []


def test_one_mention_node_per_mention(G, ref):
    mentions = set(ref.subjects(RDF.type, KG.Mention))
    n_evidence = sum(len(d["evidence"]) for *_, k, d in G.edges(keys=True, data=True) if k == "mention")
    assert len(mentions) == n_evidence == 10
    foonet = entity_iri(entity_id("method", canonical_key("FooNet")))
    m = next(m for m in mentions if ref.value(m, KG.mentionOf) == foonet and ref.value(m, KG.role).eq("proposes"))
    assert ref.value(m, rdflib.PROV.wasDerivedFrom) == paper_iri("P-1")
    assert (ref.value(m, KG.start).toPython(), ref.value(m, KG.end).toPython()) == (11, 17)
    assert str(ref.value(m, KG.sentence)) == S1 and str(ref.value(m, KG.field)) == "abstract"
    assert ref.value(m, KG.confidence).toPython() == pytest.approx(0.87)
    assert str(ref.value(m, KG.extractedBy)) == "model"


def test_iris_come_from_ids_never_from_text(ref):
    vocab = ("https://w3id.org/kg/ontology#", str(RDF), str(SDO), str(SKOS), str(rdflib.XSD))
    data = tuple(DEFAULT_BASE_IRI + p for p in ("paper/", "entity/", "mention/", "relation/", "dataset"))
    for term in set(ref.subjects()) | set(ref.predicates()) | set(ref.objects()):
        if isinstance(term, rdflib.BNode):
            pytest.fail("blank nodes make output unstable")
        if isinstance(term, rdflib.URIRef):
            s = str(term)
            assert s.startswith(vocab + data + (str(DCTERMS), str(rdflib.PROV), "http://purl.org/ontology/bibo/",
                                                "https://example.org/papers/")), s
            assert "Net" not in s.replace("FooNet", "") and "hi" not in s and '"' not in s


def test_ids_with_odd_characters_are_percent_encoded():
    G = nx.MultiDiGraph()
    G.add_node('P-<x> "y"/z', kind="paper", title="T")
    (line, *_) = [x for x in ntriples_lines(G) if "#id>" in x]
    assert line.startswith("<https://w3id.org/kg/local/paper/P-%3Cx%3E%20%22y%22%2Fz>")
    assert len(graph_to_rdf(G)) == 3


# ----------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_every_format_parses_and_is_isomorphic(fmt, G, ref, tmp_path):
    path = tmp_path / f"graph{RDF_FORMATS[fmt][0]}"
    n = write_rdf(G, path, format=fmt)
    assert n == len(ref)
    parsed = _rdflib_parse(path, fmt)
    assert len(parsed) == len(ref)
    assert isomorphic(parsed, ref)
    # pyoxigraph reads the same triples as from the N-Triples export
    nt = tmp_path / "ref.nt"
    write_rdf(G, nt, format="ntriples")
    assert _ox_triples(path) == _ox_triples(nt)


#: Literals that end, or seem to end, a Turtle string or statement.
HOSTILE_TEXTS = (HOSTILE_TITLE, HOSTILE_AUTHOR, HOSTILE_ENTITY, '"""', "'''", '"', "\\", 'x"', "x\\", '\\"',
                 "a\\\nb", "\u2028", "\u2029\x85", "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f", "\U0001F600 \uFEFF \uFFFD",
                 "<http://x/>", "> .", " ; ", "_:b ^^xsd:int @en", "'''\"\"\"''\"", "\t\r\n", "")
#: Ids whose percent-encoded form is, or is not, a Turtle local name (no "~", no "-" or "." first, ...).
HOSTILE_IDS = ("P-1a", 'P-<x> "y"/z', "P-2", "P~1", "-P", ".P", "9", "_", "P.", "P%41", "ünï 🧪", "P:1", "P\\1",
               "P#?&=", "")


def _hostile_graph() -> nx.MultiDiGraph:
    """Hand-made papers, entities, mentions and relations (no build_graph) with hostile ids, fields, literals."""
    G = nx.MultiDiGraph()
    texts = itertools.cycle(HOSTILE_TEXTS)
    entities = []
    for i, pid in enumerate(HOSTILE_IDS):
        G.add_node(pid, kind="paper", title=next(texts), abstract=next(texts), authors=(next(texts), next(texts)),
                   date=("2024-02-30", "2024-02", "2024", next(texts))[i % 4], doi=next(texts), venue=next(texts),
                   url=("https://example.org/p?q=1#x", next(texts))[i % 2], identifier=next(texts),
                   sources=(next(texts),))
        etype = ("method", "dataset", "task", "metric", "concept")[i % 5]
        eid = f"{etype}-{pid}" if i % 2 == 0 else f"{pid}{etype}"
        entities.append(eid)
        G.add_node(eid, kind="entity", type=etype, label=next(texts), key=next(texts), papers=i, mentions=-i,
                   aliases=[next(texts), (next(texts), 3)])
        ev = {"field": ("abstract", "title", "ab~s", "fi eld", "")[i % 5], "start": i, "end": i + 3,
              "text": next(texts), "sentence": next(texts), "sent_start": 0, "source": next(texts),
              "confidence": (0.5, 1, float("nan"), 1e-300)[i % 4], "role": next(texts)}
        G.add_edge(pid, eid, key="mention", role=("uses", "proposes", None, "evaluates_on")[i % 4],
                   evidence=[ev, dict(ev), {**ev, "start": -1}])
    for i, (a, b) in enumerate(zip(entities, entities[1:] + entities[:1])):
        for key in ("used_for", "co_occurs", "evaluated_on")[: 1 + i % 3]:
            G.add_edge(a, b, key=key, weight=i, evidence=[
                {"paper": "P-2", "field": next(texts), "sentence": next(texts), "cue": next(texts),
                 "head": next(texts), "tail": next(texts)}, {"paper": "not a node", "cue": next(texts)}])
    return G


@pytest.mark.parametrize("base", [DEFAULT_BASE_IRI, "https://example.org/kg#", "urn:kg:x/",
                                  "https://example.org/%C3%A9/ü/"])
@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_turtle_is_written_directly_and_parses_to_the_ntriples(fmt, base, tmp_path):
    G = _hostile_graph()
    nt, path = tmp_path / "g.nt", tmp_path / f"g{RDF_FORMATS[fmt][0]}"
    n = write_rdf(G, nt, format="ntriples", base_iri=base)
    assert write_rdf(G, path, format=fmt, base_iri=base) == n > 500
    # pyoxigraph: the same set of triples (no blank nodes, so equal sets mean isomorphic graphs)
    expected = {q.triple for q in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)}
    got = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]))]
    assert len(got) == len(expected) == n and set(got) == expected
    if fmt == "trig":
        assert {q.graph_name for q in ox.parse(path=str(path))} == {ox.NamedNode(default_graph_iri(base))}
    # rdflib, with its own parsers
    ref_g = rdflib.Graph().parse(nt, format="nt")
    if fmt == "trig":
        ds = rdflib.Dataset()
        ds.parse(path, format="trig")  # rdflib 7.0's Dataset.parse returns a Graph, not the Dataset
        parsed = ds.graph(rdflib.URIRef(default_graph_iri(base)))
    else:
        parsed = rdflib.Graph().parse(path, format="turtle")
    assert len(parsed) == len(ref_g) == n and set(parsed) == set(ref_g)
    assert set(HOSTILE_TEXTS) <= {str(o) for o in parsed.objects() if isinstance(o, rdflib.Literal)}
    p = 'P-<x> "y"/z'
    assert str(parsed.value(paper_iri(p, base), DCTERMS.title)) == G.nodes[p]["title"] == HOSTILE_TEXTS[18]
    # readable: prefixes, one statement per subject, prefixed names where the id allows, else full IRIs
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"@prefix kg: <{KG._NS}> .\n") and f"\n@prefix paper: <{base}paper/> .\n" in text
    for subject in ("paper:P-1a", "paper:P-%3Cx%3E%20%22y%22%2Fz", f"<{base}paper/P~1>", f"<{base}paper/-P>",
                    f"<{base}paper/.P>", "paper:9", "paper:_", f"<{base}paper/P.>", "paper:P%2541", f"<{base}paper/>"):
        assert f"\n{subject} a schema:ScholarlyArticle ;\n\tkg:id " in text, subject
    for subject in ("entity:method-P-1a a kg:Method", f"<{base}entity/.Pmethod> a kg:Method",
                    f"<{base}entity/P~1metric> a kg:Metric", f"<{base}entity/metric-P.> a kg:Metric",
                    "mention:P-1a.method-P-1a.abstract.0-3 a kg:Mention",
                    "mention:P-1a.method-P-1a.abstract.0-3.2 a kg:Mention",
                    "mention:P-1a.method-P-1a.abstract.-1-3 a kg:Mention",
                    "mention:P-%3Cx%3E%20%22y%22%2Fz.P-%3Cx%3E%20%22y%22%2Fzdataset.title.1-4 a kg:Mention",
                    f"<{base}mention/P-2.task-P-2.ab~s.2-5> a kg:Mention",
                    f"<{base}mention/.P..Pmethod.abstract.5-8> a kg:Mention",
                    "rel:method-P-1a.usedFor.P-%3Cx%3E%20%22y%22%2Fzdataset a kg:Relation",
                    "rel:method-P-1a.usedFor.P-%3Cx%3E%20%22y%22%2Fzdataset.e2 a kg:RelationEvidence",
                    "rel:P-%3Cx%3E%20%22y%22%2Fzdataset.usedFor.task-P-2 a kg:Relation",
                    f"<{base}relation/task-P-2.usedFor.P~1metric> a kg:Relation",
                    f"<{base}relation/_task.usedFor.metric-P.> a kg:Relation"):
        assert f"\n{subject} ;\n\t" in text, subject
    assert "\tkg:weight 1 ;\n" in text and "\tkg:mentionCount -3 ;\n" in text
    # one triple a line, after the prefixes and a blank line (and TriG's "<graph> {" and "}")
    assert text.count("\n") == n + len(prefixes(base)) + 1 + 2 * (fmt == "trig")
    write_rdf(G, tmp_path / "again", format=fmt, base_iri=base)
    assert (tmp_path / "again").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_hostile_strings_survive_unchanged(fmt, G, tmp_path):
    path = tmp_path / f"graph{RDF_FORMATS[fmt][0]}"
    write_rdf(G, path, format=fmt)
    p3 = paper_iri("P-3")
    for g in (_rdflib_parse(path, fmt), _ox_graph(path)):
        assert str(g.value(p3, DCTERMS.title)) == HOSTILE_TITLE
        assert str(g.value(p3, DCTERMS.creator)) == HOSTILE_AUTHOR
        labels = {str(x) for x in g.objects(None, SKOS.prefLabel)}
        assert HOSTILE_ENTITY in labels
        assert str(g.value(p3, DCTERMS.date)) == "March 2024"


def _ox_graph(path: Path) -> rdflib.Graph:
    """What pyoxigraph parsed, handed to rdflib as N-Triples (pyoxigraph's escaping, not rdflib's)."""
    fmt = ox.RdfFormat.from_extension(path.suffix[1:])
    data = ox.serialize((q.triple for q in ox.parse(path=str(path), format=fmt)), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def test_jsonld_has_a_context(G, tmp_path):
    import json

    path = tmp_path / "g.jsonld"
    write_rdf(G, path, format="jsonld")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@context"]["kg"] == str(KG._NS) and doc["@context"]["schema"] == "https://schema.org/"
    first = doc["@graph"][0]
    assert first["@id"] == "paper:P-1" and first["@type"] == ["schema:ScholarlyArticle"]
    # with a graph IRI the JSON-LD document is a named graph
    write_rdf(G, path, format="jsonld", graph_iri="https://example.org/g")
    ds = rdflib.Dataset()
    ds.parse(path, format="json-ld")
    assert len(ds.graph(rdflib.URIRef("https://example.org/g"))) == len(graph_to_rdf(G))


def test_trig_and_nquads_use_the_named_graph(G, tmp_path):
    for fmt in ("trig", "nquads"):
        path = tmp_path / f"g{RDF_FORMATS[fmt][0]}"
        write_rdf(G, path, format=fmt, graph_iri="https://example.org/kg/v1")
        graphs = {q.graph_name for q in ox.parse(path=str(path))}
        assert graphs == {ox.NamedNode("https://example.org/kg/v1")}


def test_graph_iri_on_a_triple_format_warns(G, tmp_path):
    with pytest.warns(UserWarning, match="no named graphs"):
        write_rdf(G, tmp_path / "g.nt", format="ntriples", graph_iri="https://example.org/g")


def test_base_iri_is_configurable(G, tmp_path):
    base = "https://data.example.com/kg/"
    g = graph_to_rdf(G, base_iri=base)
    assert (paper_iri("P-1", base), RDF.type, SDO.ScholarlyArticle) in g
    assert not any(str(s).startswith(DEFAULT_BASE_IRI + "paper/") for s in g.subjects())
    write_rdf(G, tmp_path / "g.ttl", base_iri=base)
    assert f"@prefix paper: <{base}paper/>" in (tmp_path / "g.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize("base", ["not an iri", "https://example.org/kg", "https://exa mple.org/", "relative/"])
def test_bad_base_iri_is_an_argument_error(G, tmp_path, base):
    with pytest.raises(ArgumentError, match="base IRI"):
        write_rdf(G, tmp_path / "g.ttl", base_iri=base)
    assert not (tmp_path / "g.ttl").exists()


def test_unknown_format_and_bad_graph_iri(G, tmp_path):
    with pytest.raises(ArgumentError, match="unknown RDF format"):
        write_rdf(G, tmp_path / "g.x", format="rdfxml")
    with pytest.raises(ArgumentError, match="graph IRI"):
        write_rdf(G, tmp_path / "g.trig", format="trig", graph_iri="urn:x y")


def test_bad_entity_type_is_an_export_error(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("gadget-1", kind="entity", type="gadget", label="x")
    with pytest.raises(ExportError, match="gadget"):
        write_rdf(G, tmp_path / "g.ttl")


def test_no_duplicate_triples(G):
    lines = list(ntriples_lines(G))
    assert len(lines) == len(set(lines))


def test_output_is_byte_identical_across_runs_and_processes(G, tmp_path):
    first = {}
    for fmt in RDF_FORMATS:
        path = tmp_path / f"a{RDF_FORMATS[fmt][0]}"
        write_rdf(G, path, format=fmt)
        first[fmt] = path.read_bytes()
        write_rdf(G, path, format=fmt)
        assert path.read_bytes() == first[fmt], fmt
    # a fresh interpreter with a different hash seed, from graph.json
    write_graph(G, tmp_path / "graph.json")
    code = ("import sys; from kg.export.json import read_graph; from kg.export.rdf import write_rdf, RDF_FORMATS\n"
            "G = read_graph(sys.argv[1] + '/graph.json')\n"
            "for f in RDF_FORMATS: write_rdf(G, sys.argv[1] + '/b' + RDF_FORMATS[f][0], format=f)\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env={"PYTHONHASHSEED": "12345",
                   "PATH": "/usr/bin:/bin"}, timeout=60)
    for fmt in RDF_FORMATS:
        assert (tmp_path / f"b{RDF_FORMATS[fmt][0]}").read_bytes() == first[fmt], fmt


def test_write_is_atomic_on_failure(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("P-1", kind="paper", title="T")
    path = tmp_path / "g.ttl"
    write_rdf(G, path)
    before = path.read_bytes()
    G.add_node("x-1", kind="entity", type="nope")
    with pytest.raises(ExportError):
        write_rdf(G, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


# ----------------------------------------------------------------------------- SHACL


def _validate(g: rdflib.Graph):
    pyshacl = pytest.importorskip("pyshacl") if not IN_CI else __import__("pyshacl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conforms, _, text = pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(shapes_path()))
    return conforms, text


def test_shacl_validates_the_export(G, tmp_path):
    write_rdf(G, tmp_path / "g.ttl")
    conforms, text = _validate(rdflib.Graph().parse(tmp_path / "g.ttl"))
    assert conforms, text


def test_shacl_catches_a_broken_export(ref):
    broken = rdflib.Graph()
    for t in ref:
        broken.add(t)
    foonet = entity_iri(entity_id("method", canonical_key("FooNet")))
    broken.remove((foonet, SKOS.prefLabel, None))
    m = next(broken.subjects(RDF.type, KG.Mention))
    broken.set((m, KG.start, rdflib.Literal(10_000)))
    broken.set((m, KG.confidence, rdflib.Literal("high")))
    p1 = paper_iri("P-1")
    broken.remove((p1, SDO.mentions, foonet))  # kg:proposes stays, alone
    conforms, text = _validate(broken)
    assert not conforms
    assert "prefLabel" in text and "lessThanOrEquals" in text.replace("LessThanOrEquals", "lessThanOrEquals")
    assert "a role link without schema:mentions beside it" in text


@pytest.mark.slow
def test_seed_graph_exports_validate(seed_graph, tmp_path):
    G = seed_graph.graph
    n = write_rdf(G, tmp_path / "g.nt", format="ntriples")
    assert 100_000 < n <= 240_000  # issue 13: a third of the 721,704 triples co-occurrence reification made
    assert len(_ox_triples(tmp_path / "g.nt")) == n
    write_rdf(G, tmp_path / "g.ttl")
    g = rdflib.Graph().parse(tmp_path / "g.ttl")
    assert len(g) == n
    conforms, text = _validate(g)
    assert conforms, text[:2000]


# ----------------------------------------------------------------------------- CLI


def test_kg_export_cli(G, tmp_path):
    from kg.cli import cli

    write_graph(G, tmp_path / "graph.json")
    runner = CliRunner()
    for fmt in RDF_FORMATS:
        result = runner.invoke(cli, ["export", str(tmp_path), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"graph{RDF_FORMATS[fmt][0]}").is_file()
        assert f"wrote {len(graph_to_rdf(G)):,} triples" in result.output
    result = runner.invoke(cli, ["export", str(tmp_path), "-f", "ntriples", "-o", str(tmp_path / "x.nt"),
                                 "--base-iri", "https://example.org/kg/"])
    assert result.exit_code == 0 and "https://example.org/kg/paper/P-1" in (tmp_path / "x.nt").read_text()
    result = runner.invoke(cli, ["export", str(tmp_path), "--base-iri", "nope"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "base IRI" in result.output
    result = runner.invoke(cli, ["export", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "kg build" in result.output


def test_rdf_commands_have_help():
    from kg.cli.rdf import export, push_cmd, sparql_cmd

    for cmd in (export, push_cmd, sparql_cmd):
        assert cmd.help
        for param in cmd.params:
            if isinstance(param, __import__("click").Option):
                assert param.help, f"{cmd.name} {param.name}"
